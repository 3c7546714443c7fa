import { didYouMean, invalidPayload, unknownField, type ApiError } from '../errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { perOwner } from './lru.js'
import { FILTER_OPS, type FilterOp, type RelationHop, type SqlCondition, type SqlRelated } from './types.js'

/**
 * The `filter[...]` parameters of a list request as one tree: boolean groups
 * (`filter[or][i][...]`, `filter[and][i][...]`, `filter[not][...]`, nested up to
 * MAX_GROUP_DEPTH) and field paths that may walk up to MAX_RELATION_DEPTH relations
 * (`filter[customer.status]`, `filter[items.quantity.gt]`). See docs/QUERYING.md.
 */

export const MAX_GROUP_DEPTH = 4
export const MAX_RELATION_DEPTH = 3
const GROUPS = new Set(['or', 'and', 'not'])
const OPS: ReadonlySet<string> = new Set(FILTER_OPS)
const INDEX_RE = /^[0-9]{1,4}$/
const SEGMENT_RE = /\[([^[\]]*)\]/y
/** Distinct filter paths cached per entity (clients choose them: bounded). */
const PATH_CACHE_SIZE = 500

interface Leaf { raw: string, key: string }
interface Node { key: string, children: Map<string, Node | Leaf> }

/** Converts one filter value to the field's type (the list parser's conversion rules). */
export type ValueOf = (field: CompiledField, op: FilterOp, raw: string) => unknown

function malformed (key: string, message: string): ApiError {
  return invalidPayload(`Invalid filter parameter '${key}': ${message}`, [{ field: key, rule: 'filter', message }])
}

function isLeaf (n: Node | Leaf): n is Leaf {
  return 'raw' in n
}

/** `filter[or][0][status]` → `['or', '0', 'status']`; anything else after `filter` is malformed. */
export function filterKeySegments (key: string): string[] {
  const out: string[] = []
  SEGMENT_RE.lastIndex = 'filter'.length
  while (SEGMENT_RE.lastIndex < key.length) {
    const m = SEGMENT_RE.exec(key)
    if (m === null) throw malformed(key, 'expected filter[...] segments in brackets')
    if (m[1] === '') throw malformed(key, 'empty bracket segment')
    out.push(m[1] as string)
  }
  if (out.length === 0) throw malformed(key, 'expected filter[field]=value')
  return out
}

/** Builds the tree from flat keys (`filter[a][b]`) and qs-style nested objects alike. */
export class FilterTree {
  readonly root: Node = { key: 'filter', children: new Map() }

  get empty (): boolean {
    return this.root.children.size === 0
  }

  add (segments: readonly string[], value: unknown, key: string): void {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) this.add([...segments, k], v, `${key}[${k}]`)
      return
    }
    if (typeof value !== 'string') throw malformed(key, Array.isArray(value) ? 'must be given only once' : 'must be a string')
    if (segments.length > 2 * MAX_GROUP_DEPTH + 1) throw malformed(key, `groups nest at most ${MAX_GROUP_DEPTH} deep`)
    let node = this.root
    segments.forEach((seg, i) => {
      const last = i === segments.length - 1
      const at = `${node.key}[${seg}]`
      const existing = node.children.get(seg)
      if (last) {
        if (existing !== undefined) throw malformed(at, isLeaf(existing) ? 'must be given only once' : 'is both a value and a group')
        node.children.set(seg, { raw: value, key: at })
        return
      }
      if (existing !== undefined && isLeaf(existing)) throw malformed(at, 'is both a value and a group')
      const next: Node = existing ?? { key: at, children: new Map() }
      node.children.set(seg, next)
      node = next
    })
  }
}

interface ResolvedPath { hops: RelationHop[], field: CompiledField, op: FilterOp }
type Entities = ReadonlyMap<string, CompiledEntity>

const pathCache = perOwner<CompiledEntity, string, ResolvedPath>(PATH_CACHE_SIZE)

function unknownName (entity: CompiledEntity, name: string, key: string): ApiError {
  const known = [...entity.fields.keys(), ...entity.edges.keys()]
  const where = key.includes('][') ? `filter parameter '${key}'` : 'filter'
  const message = `unknown field '${name}' in ${where}${didYouMean(name, known)}`
  return unknownField(message.charAt(0).toUpperCase() + message.slice(1), [{ field: name, message }])
}

/**
 * `customer.status.gt` → hops [customer], field status, op gt. A name that is both a field and
 * a relation is the field when an operator or nothing follows it.
 */
function resolvePath (entities: Entities, entity: CompiledEntity, path: string, key: string): ResolvedPath {
  const segs = path.split('.')
  const hops: RelationHop[] = []
  let cur = entity
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as string
    const rest = segs.length - i - 1
    const field = cur.fields.get(seg)
    const edge = cur.edges.get(seg)
    if (field !== undefined && (rest === 0 || edge === undefined || (rest === 1 && OPS.has(segs[i + 1] as string)))) {
      if (rest > 1) throw unknownName(cur, segs.slice(i).join('.'), key)
      const op = rest === 0 ? 'eq' : segs[i + 1] as string
      if (!OPS.has(op)) {
        const message = `unknown operator '${op}'${didYouMean(op, FILTER_OPS)}; operators: ${FILTER_OPS.join(', ')}`
        throw invalidPayload(`Invalid filter on '${seg}' (${key}): ${message}`, [{ field: seg, rule: 'operator', message }])
      }
      return { hops, field, op: op as FilterOp }
    }
    if (edge !== undefined && rest === 0) {
      throw invalidPayload(`Invalid filter parameter '${key}': '${seg}' is a relation; filter on one of its fields (${seg}.<field>)`, [{ field: key, rule: 'filter', message: `'${seg}' is a relation` }])
    }
    if (edge === undefined) throw unknownName(cur, seg, key)
    const target = entities.get(edge.to)
    if (target === undefined) throw unknownName(cur, seg, key)
    if (hops.length === MAX_RELATION_DEPTH) throw malformed(key, `filters walk at most ${MAX_RELATION_DEPTH} relations`)
    hops.push({ edge, source: cur, target })
    cur = target
  }
  throw unknownName(cur, path, key)
}

function cachedPath (entities: Entities, entity: CompiledEntity, path: string, key: string): ResolvedPath {
  const cache = pathCache(entity)
  let r = cache.get(path)
  if (r === undefined) {
    r = resolvePath(entities, entity, path, key)
    cache.set(path, r)
  }
  return r
}

function fieldTerm (entities: Entities, entity: CompiledEntity, path: string, leaf: Leaf, valueOf: ValueOf): SqlCondition {
  const { hops, field, op } = cachedPath(entities, entity, path, leaf.key)
  let cond: SqlCondition = { field, op, value: valueOf(field, op, leaf.raw) }
  for (let i = hops.length - 1; i >= 0; i--) cond = { via: hops[i] as RelationHop, cond } satisfies SqlRelated
  return cond
}

function groupTerms (entities: Entities, entity: CompiledEntity, node: Node, depth: number, valueOf: ValueOf): SqlCondition[] {
  const out: SqlCondition[] = []
  for (const [seg, child] of node.children) {
    if (GROUPS.has(seg) && !(isLeaf(child) && entity.fields.has(seg))) {
      if (isLeaf(child)) throw malformed(child.key, seg === 'not' ? 'expected filter[not][field]=value' : `expected filter[${seg}][index][field]=value`)
      if (depth + 1 > MAX_GROUP_DEPTH) throw malformed(child.key, `groups nest at most ${MAX_GROUP_DEPTH} deep`)
      if (seg === 'not') {
        out.push({ bool: 'not', terms: groupTerms(entities, entity, child, depth + 1, valueOf) })
        continue
      }
      const members: SqlCondition[] = []
      for (const [index, member] of child.children) {
        if (!INDEX_RE.test(index)) throw malformed(`${child.key}[${index}]`, 'group members are numbered: [0], [1], ...')
        if (isLeaf(member)) throw malformed(member.key, `expected ${member.key}[field]=value`)
        members.push({ bool: 'and', terms: groupTerms(entities, entity, member, depth + 1, valueOf) })
      }
      out.push({ bool: seg as 'or' | 'and', terms: members })
      continue
    }
    if (!isLeaf(child)) throw malformed(child.key, `'${seg}' is a field path, not a group (or, and, not)`)
    out.push(fieldTerm(entities, entity, seg, child, valueOf))
  }
  return out
}

/** The top-level terms (ANDed) of a filter tree; throws 400 naming the malformed parameter. */
export function parseFilterTree (entities: Entities, entity: CompiledEntity, tree: FilterTree, valueOf: ValueOf): SqlCondition[] {
  return groupTerms(entities, entity, tree.root, 0, valueOf)
}
