import type { CompiledEntity, CompiledField, RelationEdge } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { dataEnvelope } from './components.js'
import { schemaRef, type ComponentNames } from './names.js'
import type { SchemaObject } from './types.js'

/** A foreign-key field: the key of a record of `entity` (one_to_many / one_to_one relations). */
export interface FieldReference {
  entity: string
  field: string
  relation: string
  /** one_to_one: at most one live child per parent (unique index on the FK). */
  unique: boolean
}

/** Entity → field → the record it references. Derived from relations, so self-references count too. */
export type ReferenceMap = Map<string, Map<string, FieldReference>>

/** Vendor extension naming a foreign key's target: lets clients (and our contract test) pick real ids. */
export const REFERENCES_EXT = 'x-rocket-references'
/** Vendor extension on a nested-write payload: `{kind, target}` of its relation edge. */
export const RELATION_EXT = 'x-rocket-relation'

/** Collects the FK fields of every entity from the relation definitions. */
export function fieldReferences (registry: Registry): ReferenceMap {
  const out: ReferenceMap = new Map()
  for (const rel of registry.relationDefs) {
    if (rel.type === 'many_to_many' || !registry.entities.has(rel.source) || !registry.entities.has(rel.target)) continue
    let fields = out.get(rel.target)
    if (fields === undefined) { fields = new Map(); out.set(rel.target, fields) }
    fields.set(rel.target_key, { entity: rel.source, field: rel.source_key, relation: rel.name, unique: rel.type === 'one_to_one' })
  }
  return out
}

/** One line telling what metadata says about a field beyond its type. */
function fieldDescription (entity: CompiledEntity, f: CompiledField, ref: FieldReference | undefined): string | undefined {
  const parts: string[] = []
  const pk = entity.def.primary_key
  if (f.isPk) parts.push(pk.generated === true ? 'Primary key, generated when omitted.' : 'Primary key.')
  if (entity.def.slug?.field === f.name) parts.push(`Slug, generated from \`${entity.def.slug.source}\` when omitted; usable in place of the id in URLs.`)
  if (f.def.unique === true) parts.push('Unique.')
  if (f.def.auto !== undefined) parts.push(`Set by the server on ${f.def.auto === 'create' ? 'create' : 'create and update'}.`)
  if (f.spec.note !== undefined) parts.push(f.spec.note)
  if (ref !== undefined) parts.push(`References \`${ref.entity}.${ref.field}\` (relation \`${ref.relation}\`).`)
  return parts.length > 0 ? parts.join(' ') : undefined
}

function annotate (schema: SchemaObject, extra: Record<string, unknown>): SchemaObject {
  const out: SchemaObject = { ...schema }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v
  return out
}

/** Output properties plus readOnly markers, descriptions and included relations. */
function recordSchema (entity: CompiledEntity, names: ComponentNames, refs: ReferenceMap): SchemaObject {
  const base = entity.schemas.output.properties as Record<string, SchemaObject>
  const properties: Record<string, SchemaObject> = {}
  const generatedPk = entity.def.primary_key.generated === true
  for (const f of entity.fieldList) {
    const schema = base[f.name]
    if (schema === undefined) continue
    const readOnly = !f.writable || (f.isPk && generatedPk) ? true : undefined
    properties[f.name] = annotate(schema, { readOnly, description: fieldDescription(entity, f, refs.get(entity.name)?.get(f.name)) })
  }
  for (const edge of entity.edges.values()) properties[edge.name] = includedRelation(edge, names)
  return { type: 'object', required: entity.fieldList.map((f) => f.name), properties }
}

function includedRelation (edge: RelationEdge, names: ComponentNames): SchemaObject {
  const target = schemaRef(names.entity(edge.to, 'record'))
  const when = edge.eager ? 'Always included (eager relation).' : `Present only with \`include=${edge.name}\`.`
  const description = `${edge.kind} relation to \`${edge.to}\`. ${when}`
  if (edge.kind === 'has_many' || edge.kind === 'many_to_many') return { type: 'array', items: target, description }
  return { anyOf: [target, { type: 'null' }], description }
}

/**
 * Writable field properties of a create or update schema (of this entity, or of a nested
 * record), annotated with descriptions, defaults (create only) and FK references.
 */
export function inputProperties (entity: CompiledEntity, source: SchemaObject, refs: ReferenceMap, withDefaults: boolean): Record<string, SchemaObject> {
  const base = source.properties as Record<string, SchemaObject>
  const properties: Record<string, SchemaObject> = {}
  for (const [name, schema] of Object.entries(base)) {
    const f = entity.fields.get(name)
    if (f === undefined) continue
    const ref = refs.get(entity.name)?.get(name)
    properties[name] = annotate(schema, {
      description: fieldDescription(entity, f, ref),
      default: withDefaults ? f.def.default : undefined,
      [REFERENCES_EXT]: ref
    })
  }
  return properties
}

function relationProperties (entity: CompiledEntity, names: ComponentNames): Record<string, SchemaObject> {
  const out: Record<string, SchemaObject> = {}
  for (const edge of entity.edges.values()) out[edge.name] = schemaRef(names.edgeWrite(entity.name, edge.name))
  return out
}

/**
 * `<Entity>`, `<Entity>Create`, `<Entity>Update`, `<Entity>List` for one entity, from the
 * schemas `entityJsonSchemas` produced for its validators and serializer (never re-derived).
 * Create/update bodies also take one key per relation edge (nested writes).
 */
export function entityComponents (entity: CompiledEntity, names: ComponentNames, refs: ReferenceMap): Record<string, SchemaObject> {
  const { create, update } = entity.schemas
  const relations = relationProperties(entity, names)
  const record = names.entity(entity.name, 'record')
  return {
    [record]: recordSchema(entity, names, refs),
    [names.entity(entity.name, 'create')]: {
      type: 'object',
      description: `Body of a create. Relation keys (${relationList(entity)}) write related records in the same transaction.`,
      required: create.required,
      properties: { ...inputProperties(entity, create, refs, true), ...relations },
      additionalProperties: false
    },
    [names.entity(entity.name, 'update')]: {
      type: 'object',
      description: 'Body of a partial update: only the fields sent change. Relation keys write related records in the same transaction.',
      properties: { ...inputProperties(entity, update, refs, false), ...relations },
      additionalProperties: false
    },
    [names.entity(entity.name, 'list')]: {
      type: 'object',
      required: ['data', 'meta'],
      properties: { data: { type: 'array', items: schemaRef(record) }, meta: schemaRef('ListMeta') }
    }
  }
}

function relationList (entity: CompiledEntity): string {
  const edges = [...entity.edges.keys()]
  return edges.length === 0 ? 'none' : edges.map((e) => `\`${e}\``).join(', ')
}

/** Schema of the `:id` path segment: the primary key, or any string when the entity has a slug. */
export function idSchema (entity: CompiledEntity): SchemaObject {
  if (entity.def.slug !== undefined) return { type: 'string' }
  return entity.pk.spec.primaryKey?.pathSchema ?? { type: 'string' }
}

/** `{data: {id}}` answered by a delete. */
export function deleteResultSchema (entity: CompiledEntity): SchemaObject {
  const id = entity.pk.spec.outputSchema(entity.pk.def)
  return dataEnvelope({ type: 'object', required: ['id'], properties: { id } })
}
