import { qualifiedName, quoteIdent } from '../db/identifiers.js'
import { uniqueFieldIndex } from '../ddl/index-names.js'
import { canonicalType, FIELD_TYPE_SPECS } from '../fields/index.js'
import { entityJsonSchemas, isWritableField } from '../schema/entity-schemas.js'
import { PiecewiseSerializer } from '../schema/record-serializer.js'
import { compileRecordValidator } from '../schema/record-validator.js'
import type { CompiledEntity, CompiledField, EntityArtifacts, RelationEdge } from './compiled.js'
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

/**
 * Builds the registry from validated entity and relation definitions. What depends on an
 * entity's definition alone (schemas, validators, serializer) is taken from `previous` when
 * that definition did not change, so a change elsewhere (a permission, a rule, another entity)
 * compiles nothing for it; serializers compile on first use (docs/security.md).
 */
export function buildRegistry (entityDefs: EntityDef[], relationDefs: RelationDef[], version: number, previous?: Registry): Registry {
  const edges = buildEdges(entityDefs, relationDefs)
  const entities = new Map<string, CompiledEntity>()
  for (const def of entityDefs) {
    const key = JSON.stringify(def)
    const before = previous?.entities.get(def.name)?.artifacts
    const artifacts = before !== undefined && before.key === key ? before : entityArtifacts(def, key)
    entities.set(def.name, compileEntity(def, edges.get(def.name) ?? new Map(), artifacts, entities))
  }
  return { version, entities, entityDefs, relationDefs, extensions: new Map() }
}

/** Schemas, validators and the (not yet compiled) serializer of one definition. */
function entityArtifacts (def: EntityDef, key: string): EntityArtifacts {
  const schemas = entityJsonSchemas(def)
  return {
    key,
    schemas,
    validateCreate: compileRecordValidator(schemas.create),
    validateUpdate: compileRecordValidator(schemas.update),
    serializer: new PiecewiseSerializer(schemas.output)
  }
}

/**
 * Compiles, in the background and a small piece per macrotask, the serializers a registry will
 * need, so that first requests find them ready (docs/security.md). Nothing to do for the
 * entities a previous registry already prepared.
 */
export async function prepareRegistry (registry: Registry): Promise<void> {
  for (const entity of registry.entities.values()) await entity.artifacts.serializer.prepare()
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

function compileEntity (def: EntityDef, edges: Map<string, RelationEdge>, artifacts: EntityArtifacts, all: Map<string, CompiledEntity>): CompiledEntity {
  const fieldList = def.fields.map((f) => compileField(def, f))
  const fields = new Map(fieldList.map((f) => [f.name, f]))
  const { schemas } = artifacts
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
    artifacts,
    validateCreate: artifacts.validateCreate,
    validateUpdate: artifacts.validateUpdate,
    selectColumns: fieldList.map((f) => f.column).join(', '),
    liveCondition: softDelete ? '"deleted_at" IS NULL' : '',
    serializeRecord: recordSerializer(artifacts, [...edges.values()], all),
    constraintFields
  }
}

/**
 * The record's own fields (fast-json-stringify, unknown keys dropped), then each relation edge
 * present in it, serialized by the target entity's own serializer: composing per entity keeps
 * every compilation the size of one entity, however many relations point at big ones.
 */
function recordSerializer (artifacts: EntityArtifacts, edges: RelationEdge[], all: Map<string, CompiledEntity>): (r: Record<string, unknown>) => string {
  const parts = edges.map((e) => ({ edge: e, key: JSON.stringify(e.name), many: e.kind === 'has_many' || e.kind === 'many_to_many' }))
  return (record) => {
    const own = artifacts.serializer.serialize(record)
    let extra = ''
    for (const { edge, key, many } of parts) {
      const value = record[edge.name]
      const target = all.get(edge.to)
      if (value === undefined || target === undefined) continue
      const one = (v: unknown): string => typeof v === 'object' && v !== null ? target.serializeRecord(v as Record<string, unknown>) : 'null'
      const text = many ? `[${Array.isArray(value) ? value.map(one).join(',') : ''}]` : one(value)
      extra += `${extra === '' && own === '{}' ? '' : ','}${key}:${text}`
    }
    return extra === '' ? own : `${own.slice(0, -1)}${extra}}`
  }
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
          ...common,
          name: inverseName,
          kind: 'many_to_many',
          forward: false,
          from: rel.target,
          to: rel.source,
          localKey: rel.target_key,
          remoteKey: rel.source_key,
          join: { table: join.table, sqlTable: join.sqlTable, localColumn: join.remoteColumn, remoteColumn: join.localColumn },
          eager: false
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
