import fastJson from 'fast-json-stringify'
import { qualifiedName, quoteIdent } from '../db/identifiers.js'
import { uniqueFieldIndex } from '../ddl/index-names.js'
import { canonicalType, FIELD_TYPE_SPECS, type JsonSchema } from '../fields/index.js'
import { compileInputValidator, releaseValidator } from '../schema/ajv.js'
import { entityJsonSchemas, isWritableField } from '../schema/entity-schemas.js'
import type { CompiledEntity, CompiledField, RelationEdge } from './compiled.js'
import type { EntityDef, RelationDef } from './types.js'

/**
 * The compiled metadata of one app at one version. Immutable: a metadata change builds a new
 * registry and swaps it in, so a request always sees one consistent version.
 * Later capabilities (rules, state machines, permissions, webhooks, workflows) attach their
 * compiled metadata under `extensions`, keyed by their module name.
 */
export interface Registry {
  version: number
  entities: Map<string, CompiledEntity>
  entityDefs: EntityDef[]
  relationDefs: RelationDef[]
  extensions: Map<string, unknown>
}

export { quoteIdent }

/** Builds the registry from validated entity and relation definitions. */
export function buildRegistry (entityDefs: EntityDef[], relationDefs: RelationDef[], version: number): Registry {
  const edges = buildEdges(entityDefs, relationDefs)
  const entities = new Map<string, CompiledEntity>()
  for (const def of entityDefs) entities.set(def.name, compileEntity(def, edges.get(def.name) ?? new Map()))
  for (const entity of entities.values()) attachSerializer(entity, entities)
  return { version, entities, entityDefs, relationDefs, extensions: new Map() }
}

/** Drops a replaced registry's compiled schemas from Ajv's cache. */
export function releaseRegistry (registry: Registry): void {
  for (const e of registry.entities.values()) {
    releaseValidator(e.schemas.create)
    releaseValidator(e.schemas.update)
  }
}

function compileField (entity: EntityDef, def: EntityDef['fields'][number]): CompiledField {
  const type = canonicalType(def.type) ?? 'string'
  return {
    def,
    name: def.name,
    type,
    spec: FIELD_TYPE_SPECS[type],
    column: quoteIdent(def.name),
    isPk: def.name === entity.primary_key.field,
    writable: isWritableField(entity, def)
  }
}

function compileEntity (def: EntityDef, edges: Map<string, RelationEdge>): CompiledEntity {
  const fieldList = def.fields.map((f) => compileField(def, f))
  const fields = new Map(fieldList.map((f) => [f.name, f]))
  const schemas = entityJsonSchemas(def)
  const softDelete = def.soft_delete === true
  const constraintFields = new Map<string, string>()
  for (const f of fieldList) {
    if (f.def.unique === true && !f.isPk) {
      const index = uniqueFieldIndex(def, f.name)
      constraintFields.set(index.name, f.name)
      constraintFields.set(index.legacyName, f.name)
    }
  }
  constraintFields.set(`${def.table}_pkey`, def.primary_key.field)
  return {
    def,
    name: def.name,
    table: qualifiedName(def.table),
    pk: fields.get(def.primary_key.field) as CompiledField,
    fields,
    fieldList,
    softDelete,
    edges,
    eagerEdges: [...edges.values()].filter((e) => e.eager),
    schemas,
    validateCreate: compileInputValidator(schemas.create),
    validateUpdate: compileInputValidator(schemas.update),
    selectColumns: fieldList.map((f) => f.column).join(', '),
    liveCondition: softDelete ? '"deleted_at" IS NULL' : '',
    serializeRecord: JSON.stringify,
    constraintFields
  }
}

/** Record schema plus one optional property per relation edge (for included data). */
function attachSerializer (entity: CompiledEntity, all: Map<string, CompiledEntity>): void {
  const properties: Record<string, JsonSchema> = { ...(entity.schemas.output.properties as Record<string, JsonSchema>) }
  for (const edge of entity.edges.values()) {
    const target = all.get(edge.to)
    if (target === undefined) continue
    const item = target.schemas.output
    properties[edge.name] = edge.kind === 'has_many' || edge.kind === 'many_to_many'
      ? { type: 'array', items: item }
      : { anyOf: [item, { type: 'null' }] }
  }
  entity.serializeRecord = fastJson({ type: 'object', properties }) as (r: Record<string, unknown>) => string
}

function edgeMap (map: Map<string, Map<string, RelationEdge>>, entity: string): Map<string, RelationEdge> {
  let m = map.get(entity)
  if (m === undefined) { m = new Map(); map.set(entity, m) }
  return m
}

/** Both directions of every relation, keyed by entity and then by edge name. */
export function buildEdges (entities: EntityDef[], relations: RelationDef[]): Map<string, Map<string, RelationEdge>> {
  const out = new Map<string, Map<string, RelationEdge>>()
  const known = new Set(entities.map((e) => e.name))
  for (const rel of relations) {
    if (!known.has(rel.source) || !known.has(rel.target)) continue
    const writeMode = rel.write_mode ?? 'diff'
    const eager = rel.fetch === 'eager'
    const common = { relation: rel, writeMode }
    const inverseName = rel.inverse_name ?? rel.name
    const selfWithoutInverse = rel.source === rel.target && inverseName === rel.name
    if (rel.type === 'many_to_many') {
      const join = { table: rel.join_table as string, sqlTable: qualifiedName(rel.join_table as string), localColumn: rel.source_join_key as string, remoteColumn: rel.target_join_key as string }
      edgeMap(out, rel.source).set(rel.name, { ...common, name: rel.name, kind: 'many_to_many', forward: true, from: rel.source, to: rel.target, localKey: rel.source_key, remoteKey: rel.target_key, join, eager })
      if (!selfWithoutInverse) {
        edgeMap(out, rel.target).set(inverseName, {
          ...common, name: inverseName, kind: 'many_to_many', forward: false, from: rel.target, to: rel.source,
          localKey: rel.target_key, remoteKey: rel.source_key, join: { table: join.table, sqlTable: join.sqlTable, localColumn: join.remoteColumn, remoteColumn: join.localColumn }, eager: false
        })
      }
      continue
    }
    const kind = rel.type === 'one_to_one' ? 'has_one' : 'has_many'
    edgeMap(out, rel.source).set(rel.name, { ...common, name: rel.name, kind, forward: true, from: rel.source, to: rel.target, localKey: rel.source_key, remoteKey: rel.target_key, eager })
    if (!selfWithoutInverse) {
      edgeMap(out, rel.target).set(inverseName, { ...common, name: inverseName, kind: 'belongs_to', forward: false, from: rel.target, to: rel.source, localKey: rel.target_key, remoteKey: rel.source_key, eager: false })
    }
  }
  return out
}
