import type { CompiledEntity, RelationEdge } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { WRITE_MODES } from '../metadata/types.js'
import { inputProperties, RELATION_EXT, REFERENCES_EXT, type ReferenceMap } from './entity-components.js'
import { schemaRef, type ComponentNames } from './names.js'
import type { SchemaObject } from './types.js'

const NULL: SchemaObject = { type: 'null' }

/**
 * A nested record written through `edge`: the target's writable fields and PK (a PK makes it an
 * update of that record), `_delete` (has_many/has_one), and the target's own relations except
 * the one leading back to the parent (docs/reference.md, "Writing": depth > 1 works the same way). A new record
 * needs the target's required fields except the FK the parent's key is propagated into.
 */
function nestedItem (edge: RelationEdge, target: CompiledEntity, ctx: Ctx): SchemaObject {
  const { names } = ctx
  const create = target.schemas.create
  const properties: Record<string, SchemaObject> = inputProperties(target, create, ctx.refs, true)
  const pk = target.pk
  if (properties[pk.name] === undefined) properties[pk.name] = pk.spec.inputSchema(pk.def)
  if (edge.kind !== 'belongs_to') {
    properties._delete = { type: 'boolean', description: `With the ${pk.name}: delete (or unlink) that record.` }
  }
  for (const other of target.edges.values()) {
    if (other.relation === edge.relation) continue
    properties[other.name] = schemaRef(names.edgeWrite(target.name, other.name))
  }
  const propagated = edge.kind === 'belongs_to' ? null : edge.remoteKey
  const newRequired = (create.required as string[]).filter((f) => f !== propagated)
  const item: SchemaObject = { type: 'object', properties, additionalProperties: false }
  // Either a new record (its required fields) or an existing one (its key).
  if (newRequired.length > 0) item.anyOf = [{ required: newRequired }, { required: [pk.name] }]
  return item
}

/** many_to_many: the target key, bare or as `{<key>, _delete?}` (other keys are ignored). */
function linkItem (edge: RelationEdge, target: CompiledEntity): SchemaObject {
  const keyField = target.fields.get(edge.remoteKey)
  const reference = { entity: target.name, field: edge.remoteKey, relation: edge.relation.name, unique: false }
  const key = keyField === undefined ? {} : { ...keyField.spec.inputSchema(keyField.def), [REFERENCES_EXT]: reference }
  return {
    anyOf: [
      key,
      {
        type: 'object',
        required: [edge.remoteKey],
        properties: { [edge.remoteKey]: key, _delete: { type: 'boolean', description: 'Unlink instead of link.' } }
      }
    ]
  }
}

/** `{_write_mode, data}`; `_write_mode` is mandatory when the target has its own `data` key. */
function wrapper (edge: RelationEdge, target: CompiledEntity, data: SchemaObject): SchemaObject {
  const ambiguous = target.fields.has('data') || target.edges.has('data')
  return {
    type: 'object',
    required: ambiguous ? ['_write_mode', 'data'] : ['data'],
    properties: {
      _write_mode: {
        type: 'string',
        enum: [...WRITE_MODES],
        default: edge.writeMode,
        description: 'diff: insert new, update keyed, delete `_delete`d rows; replace: diff and delete rows missing from `data`; append: insert only.'
      },
      data
    },
    additionalProperties: false
  }
}

const KIND_TEXT: Record<RelationEdge['kind'], string> = {
  has_many: 'child records (array)',
  has_one: 'the single child record (object or null)',
  belongs_to: 'the parent record (object or null); writing it sets this record\'s foreign key',
  many_to_many: 'links by target key (join rows only)'
}

interface Ctx {
  names: ComponentNames
  refs: ReferenceMap
}

/** The payload of one relation key in a create/update body. */
function edgePayload (edge: RelationEdge, target: CompiledEntity, ctx: Ctx): SchemaObject {
  const info = { [RELATION_EXT]: { kind: edge.kind, target: target.name } }
  const description = `Nested write of \`${edge.name}\` (${edge.kind} → \`${target.name}\`): ${KIND_TEXT[edge.kind]}. ` +
    `Plain value, or \`{"_write_mode": ..., "data": ...}\`; default mode \`${edge.writeMode}\`.`
  if (edge.kind === 'many_to_many') {
    const list: SchemaObject = { type: 'array', items: linkItem(edge, target) }
    return { description, ...info, anyOf: [list, wrapper(edge, target, list)] }
  }
  const item = nestedItem(edge, target, ctx)
  if (edge.kind === 'has_many') {
    const list: SchemaObject = { type: 'array', items: item }
    return { description, ...info, anyOf: [list, wrapper(edge, target, list)] }
  }
  if (edge.kind === 'has_one') {
    const data: SchemaObject = { anyOf: [item, NULL, { type: 'array', items: item }] }
    return { description, ...info, anyOf: [item, NULL, wrapper(edge, target, data)] }
  }
  return { description, ...info, anyOf: [item, NULL, wrapper(edge, target, { anyOf: [item, NULL] })] }
}

/** One `<Entity><Edge>Write` component per relation edge of every entity. */
export function relationPayloadComponents (registry: Registry, ctx: Ctx): Record<string, SchemaObject> {
  const { names } = ctx
  const out: Record<string, SchemaObject> = {}
  for (const entity of registry.entities.values()) {
    for (const edge of entity.edges.values()) {
      const target = registry.entities.get(edge.to)
      if (target === undefined) continue
      out[names.edgeWrite(entity.name, edge.name)] = edgePayload(edge, target, ctx)
    }
  }
  return out
}
