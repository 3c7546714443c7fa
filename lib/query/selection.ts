import fastJson from 'fast-json-stringify'
import { didYouMean, invalidPayload, unknownField, type ApiError } from '../errors.js'
import type { JsonSchema } from '../fields/index.js'
import type { CompiledEntity, CompiledField, RelationEdge } from '../metadata/compiled.js'
import { cached, perOwner } from './lru.js'

/**
 * What a read returns: `fields=` (the primary key always), nested `include=a.b` (depth ≤ 3)
 * and `fields[<include path>]=`. A selection is parsed once per distinct parameter text and
 * entity version, and its serializer compiled once (both cached in a bounded LRU): no request
 * parses a path or builds a serializer another request already did. See docs/QUERYING.md.
 */

export const MAX_INCLUDE_DEPTH = 3
/** Distinct (include, fields) combinations kept per entity version, each with its serializer. */
const SELECTION_CACHE_SIZE = 200

export interface IncludeSel {
  edge: RelationEdge
  target: CompiledEntity
  /** Dot path from the root entity (`items.product`): the key of `fields[...]`. */
  path: string
  fields: readonly CompiledField[] | null
  children: readonly IncludeSel[]
}

export interface Selection {
  /** null = every field. */
  fields: readonly CompiledField[] | null
  includes: readonly IncludeSel[]
  /** True when the entity's own serializer and column list fit (all fields, one level of includes). */
  plain: boolean
  serialize: (record: Record<string, unknown>) => string
  /** Columns the main query reads: the selected fields, the primary key and the keys includes need. */
  columns: readonly CompiledField[]
}

type Entities = ReadonlyMap<string, CompiledEntity>

const cacheOf = perOwner<CompiledEntity, string, Selection>(SELECTION_CACHE_SIZE)

function badParam (param: string, message: string): ApiError {
  return invalidPayload(`Invalid query parameter '${param}': ${message}`, [{ field: param, message }])
}

function parseFields (entity: CompiledEntity, raw: string, param: string): CompiledField[] {
  const out: CompiledField[] = [entity.pk]
  for (const part of raw.split(',')) {
    const name = part.trim()
    if (name === '') continue
    const field = entity.fields.get(name)
    if (field === undefined) {
      const message = `unknown field '${name}' in ${param}${didYouMean(name, entity.fields.keys())}`
      throw unknownField(message.charAt(0).toUpperCase() + message.slice(1), [{ field: name, message }])
    }
    if (!out.includes(field)) out.push(field)
  }
  return out
}

interface Draft { edge: RelationEdge, target: CompiledEntity, path: string, children: Map<string, Draft> }

function addIncludePath (entities: Entities, root: CompiledEntity, tops: Map<string, Draft>, path: string): void {
  const names = path.split('.')
  if (names.length > MAX_INCLUDE_DEPTH) throw badParam('include', `'${path}' is deeper than ${MAX_INCLUDE_DEPTH} relations`)
  let entity = root
  let level = tops
  let at = ''
  for (const name of names) {
    at = at === '' ? name : `${at}.${name}`
    const edge = entity.edges.get(name)
    const target = edge === undefined ? undefined : entities.get(edge.to)
    if (edge === undefined || target === undefined) {
      const message = `unknown relation '${name}'${didYouMean(name, entity.edges.keys())}`
      throw invalidPayload(`Invalid include: ${message}`, [{ field: 'include', relation: at, message }])
    }
    let d = level.get(name)
    if (d === undefined) {
      d = { edge, target, path: at, children: new Map() }
      level.set(name, d)
    }
    entity = target
    level = d.children
  }
}

function finish (drafts: Map<string, Draft>, fieldsOf: Map<string, string>, used: Set<string>): IncludeSel[] {
  return [...drafts.values()].map((d) => {
    const raw = fieldsOf.get(d.path)
    if (raw !== undefined) used.add(d.path)
    return {
      edge: d.edge,
      target: d.target,
      path: d.path,
      fields: raw === undefined ? null : parseFields(d.target, raw, `fields[${d.path}]`),
      children: finish(d.children, fieldsOf, used)
    }
  })
}

function outputSchema (entity: CompiledEntity, fields: readonly CompiledField[] | null, includes: readonly IncludeSel[]): JsonSchema {
  const all = entity.schemas.output.properties as Record<string, JsonSchema>
  const properties: Record<string, JsonSchema> = {}
  for (const f of fields ?? entity.fieldList) properties[f.name] = all[f.name] as JsonSchema
  for (const inc of includes) {
    const item = outputSchema(inc.target, inc.fields, inc.children)
    const many = inc.edge.kind === 'has_many' || inc.edge.kind === 'many_to_many'
    properties[inc.edge.name] = many ? { type: 'array', items: item } : { anyOf: [item, { type: 'null' }] }
  }
  return { type: 'object', properties }
}

function build (entities: Entities, entity: CompiledEntity, include: string, fieldsOf: Map<string, string>): Selection {
  const tops = new Map<string, Draft>()
  for (const part of include.split(',')) {
    const path = part.trim()
    if (path !== '') addIncludePath(entities, entity, tops, path)
  }
  for (const edge of entity.eagerEdges) {
    const target = entities.get(edge.to)
    if (!tops.has(edge.name) && target !== undefined) tops.set(edge.name, { edge, target, path: edge.name, children: new Map() })
  }
  const used = new Set<string>([''])
  const includes = finish(tops, fieldsOf, used)
  for (const path of fieldsOf.keys()) {
    if (!used.has(path)) throw badParam(`fields[${path}]`, `'${path}' is not among the included relations`)
  }
  const own = fieldsOf.get('')
  const fields = own === undefined ? null : parseFields(entity, own, 'fields')
  const plain = fields === null && includes.every((i) => i.fields === null && i.children.length === 0)
  const columns = fields === null ? entity.fieldList : withKeys(entity, fields, includes)
  const serialize = plain ? entity.serializeRecord : fastJson(outputSchema(entity, fields, includes)) as (r: Record<string, unknown>) => string
  return { fields, includes, plain, serialize, columns }
}

/** The selected fields plus the local keys the includes match on (read, not serialized). */
function withKeys (entity: CompiledEntity, fields: readonly CompiledField[], includes: readonly IncludeSel[]): CompiledField[] {
  const out = fields.slice()
  for (const inc of includes) {
    const key = entity.fields.get(inc.edge.localKey)
    if (key !== undefined && !out.includes(key)) out.push(key)
  }
  // Select order follows the entity's field order, like full rows.
  return entity.fieldList.filter((f) => out.includes(f))
}

/**
 * The selection of `include` (comma-separated dot paths) and `fields` / `fields[<path>]`
 * (`fieldsOf` keyed by path, '' for the entity's own). Throws 400 naming the parameter
 * (UNKNOWN_FIELD for an unknown field).
 */
export function selectionOf (entities: Entities, entity: CompiledEntity, include: string, fieldsOf: Map<string, string>): Selection {
  let key = include
  for (const [path, raw] of fieldsOf) key += `\u0001${path}\u0002${raw}`
  return cached(cacheOf(entity), key, () => build(entities, entity, include, fieldsOf))
}

const FIELDS_KEY_RE = /^fields\[([^[\]]+)\]$/

/** `fields` → '', `fields[items.product]` → 'items.product', anything else undefined. */
export function fieldsPathOf (key: string): string | undefined {
  if (key === 'fields') return ''
  const m = FIELDS_KEY_RE.exec(key)
  return m === null ? undefined : m[1]
}
