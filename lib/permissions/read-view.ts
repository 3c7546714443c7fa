import type { CompiledEntity, RelationEdge } from '../metadata/compiled.js'
import { selectionOf, type IncludeSel, type Selection } from '../query/selection.js'
import type { FieldAccess, ListQuery, ReadExtra } from '../query/types.js'
import { rowFields, someRowFields } from './field-access.js'
import { checkReadFields, type AccessOf } from './read-fields.js'

/**
 * What a read returns under field-level permissions (docs/security.md, "Field permissions").
 * A field set that does not depend on the row narrows the request's selection (`fields=`,
 * `fields[<include>]=`): hidden columns are not even read, and the response has one serializer,
 * compiled once per (entity, field set) in the selection cache (lib/query/selection.ts). Only
 * where the fields depend on the row does a pass over the rows remove what each row hides.
 */

type Row = Record<string, unknown>
type Entities = ReadonlyMap<string, CompiledEntity>

interface ViewNode {
  entity: CompiledEntity
  access: FieldAccess
  /** Fields the request selected at this level; null = every field. */
  requested: ReadonlySet<string> | null
  /** Remove hidden fields row by row (the serializer alone does not hide them). */
  prune: boolean
  edges: Array<{ edge: RelationEdge, node: ViewNode }>
}

export interface ReadView {
  select: Selection | undefined
  include: RelationEdge[]
  /** Per-row removal of hidden fields, null when the selection alone hides them. */
  redact: ((rows: Row[]) => void) | null
}

const names = (fields: IncludeSel['fields']): ReadonlySet<string> | null => (fields === null ? null : new Set(fields.map((f) => f.name)))

function nodeOf (entity: CompiledEntity, requested: ReadonlySet<string> | null, includes: readonly IncludeSel[], access: AccessOf): ViewNode {
  const a = access(entity.name)
  return {
    entity,
    access: a,
    requested,
    prune: a.kind === 'row',
    edges: includes.map((inc) => ({ edge: inc.edge, node: nodeOf(inc.target, names(inc.fields), inc.children, access) }))
  }
}

function restricted (node: ViewNode): boolean {
  return node.access.kind !== 'all' || node.edges.some((e) => restricted(e.node))
}

/** The fields a level reads: the requested ones the caller may see (plus what a per-row decision needs at the root). */
function fieldList (node: ViewNode, root: boolean): string | undefined {
  const sees = someRowFields(node.access)
  if (sees === null) return node.requested === null ? undefined : [...node.requested].join(',')
  const out = node.entity.fieldList.map((f) => f.name).filter((n) => sees.has(n) && (node.requested === null || node.requested.has(n)))
  // Included rows are read whole; the root row only has the selected columns.
  if (root && node.access.kind === 'row') for (const n of node.access.reads) if (!out.includes(n)) out.push(n)
  return out.join(',')
}

function collect (node: ViewNode, path: string, fieldsOf: Map<string, string>, paths: string[]): void {
  const own = fieldList(node, path === '')
  if (own !== undefined) fieldsOf.set(path, own)
  for (const { edge, node: child } of node.edges) {
    const at = path === '' ? edge.name : `${path}.${edge.name}`
    paths.push(at)
    collect(child, at, fieldsOf, paths)
  }
}

/** Whether some row may hide the key an edge is matched on (its relation must then be emptied there). */
function keyHidden (node: ViewNode, edge: RelationEdge): boolean {
  const { access } = node
  if (edge.localKey === node.entity.pk.name || access.kind === 'all') return false
  return !(access.kind === 'fixed' ? access.fields : access.every).has(edge.localKey)
}

function needsPass (node: ViewNode): boolean {
  return node.prune || node.edges.some((e) => keyHidden(node, e.edge) || needsPass(e.node))
}

function childrenOf (rows: readonly Row[], edge: RelationEdge): Row[] {
  const out = new Set<Row>()
  for (const row of rows) {
    const v = row[edge.name]
    if (Array.isArray(v)) for (const c of v as Row[]) out.add(c)
    else if (v !== null && v !== undefined && typeof v === 'object') out.add(v as Row)
  }
  return [...out]
}

/** Removes what each row hides: its hidden fields (pruning levels) and relations reached through a hidden key. */
function prune (rows: readonly Row[], node: ViewNode): void {
  const { entity, access, requested } = node
  if (access.kind !== 'all') {
    for (const row of rows) {
      const sees = rowFields(access, row)
      if (sees === null) continue
      for (const { edge } of node.edges) {
        if (edge.localKey !== entity.pk.name && !sees.has(edge.localKey) && row[edge.name] !== undefined) {
          row[edge.name] = edge.kind === 'has_many' || edge.kind === 'many_to_many' ? [] : null
        }
      }
      if (!node.prune) continue
      for (const key of Object.keys(row)) {
        if (entity.fields.has(key) && (!sees.has(key) || (requested !== null && !requested.has(key)))) Reflect.deleteProperty(row, key)
      }
    }
  }
  for (const { edge, node: child } of node.edges) if (needsPass(child)) prune(childrenOf(rows, edge), child)
}

/**
 * The selection a list or get answers with under the caller's field access: `select` /
 * `include` unchanged when nothing is restricted (no per-request work beyond one lookup per
 * level), else narrowed to the visible fields, with `redact` for row-dependent field sets.
 */
export function readView (entities: Entities, entity: CompiledEntity, q: { select?: Selection | undefined, include: readonly RelationEdge[] }, access: AccessOf): ReadView {
  const includes: readonly IncludeSel[] = q.select?.includes ?? [...new Set([...q.include, ...entity.eagerEdges])].flatMap((edge) => {
    const target = entities.get(edge.to)
    return target === undefined ? [] : [{ edge, target, path: edge.name, fields: null, children: [] }]
  })
  const root = nodeOf(entity, names(q.select?.fields ?? null), includes, access)
  if (!restricted(root)) return { select: q.select, include: q.include.slice(), redact: null }
  const fieldsOf = new Map<string, string>()
  const paths: string[] = []
  collect(root, '', fieldsOf, paths)
  const select = selectionOf(entities, entity, paths.join(','), fieldsOf)
  return {
    select,
    include: select.includes.map((i) => i.edge),
    redact: needsPass(root) ? (rows) => { prune(rows, root) } : null
  }
}

/** A write's response record (with the relations it shows) as the caller may read it: hidden fields removed in place. */
export function redactRecord (entities: Entities, entity: CompiledEntity, row: Row, access: AccessOf): void {
  const nodeFor = (e: CompiledEntity, r: readonly Row[], depth: number): ViewNode => {
    const a = access(e.name)
    const edges: ViewNode['edges'] = []
    if (depth < 8) {
      for (const edge of e.edges.values()) {
        const target = entities.get(edge.to)
        const children = childrenOf(r, edge)
        if (target !== undefined && r.some((x) => x[edge.name] !== undefined)) edges.push({ edge, node: nodeFor(target, children, depth + 1) })
      }
    }
    return { entity: e, access: a, requested: null, prune: a.kind !== 'all', edges }
  }
  prune([row], nodeFor(entity, [row], 0))
}

/**
 * A parsed list or get request under the caller's field permissions: 403 for hidden fields it
 * filters, sorts, searches or selects (read-fields.ts), then `q.select` / `q.include` narrowed
 * to what the caller sees. Returns the per-row pass the response still needs (usually null).
 */
export function applyReadView (entities: Entities, entity: CompiledEntity, q: ReadRequest, extra: ReadExtra): ReadView['redact'] {
  if (extra.fields === undefined) return null
  checkReadFields(entity, { filters: q.filters ?? [], sort: q.sort ?? [], select: q.select, keyset: q.keyset }, extra.fields)
  const view = readView(entities, entity, q, extra.fields)
  if (view.select !== undefined) q.select = view.select
  q.include = view.include
  return view.redact
}

/** What `applyReadView` reads and narrows: a `ListQuery`, or the include/select of a get. */
export interface ReadRequest {
  filters?: ListQuery['filters']
  sort?: ListQuery['sort']
  keyset?: ListQuery['keyset']
  select?: Selection | undefined
  include: RelationEdge[]
}
