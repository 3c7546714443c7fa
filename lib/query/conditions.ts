import type { CompiledEntity } from '../metadata/compiled.js'
import { quoteIdent } from '../metadata/registry.js'
import { renderAnyOf, renderCondition } from './sql.js'
import type { SqlCondition, SqlGroup, SqlRelated, SqlSearch } from './types.js'

const SEARCH = '"_search"'

function renderSearch (s: SqlSearch, ctx: RenderCtx): string {
  ctx.params.push(s.text)
  return `${ctx.qualifier}${SEARCH} @@ websearch_to_tsquery(${s.config}, $${ctx.params.length})`
}

/** `ts_rank(...) DESC`: the order of a search without `sort`. */
export function rankOrder (s: SqlSearch, params: unknown[]): string {
  params.push(s.text)
  return `ts_rank(${SEARCH}, websearch_to_tsquery(${s.config}, $${params.length})) DESC`
}

/**
 * Renders every kind of WHERE term: filters, permission OR-groups, boolean groups of the query
 * string and relation filters (EXISTS subqueries). See docs/QUERYING.md.
 */
export interface RenderCtx {
  params: unknown[]
  /** Prefix of the current entity's columns: `''` (main query), `t.` (includes) or `rN.`. */
  qualifier: string
  /** Relation nesting level of the current entity (aliases `r1`..`r3`). */
  depth: number
  /** Row-level read conditions of a related entity (permissions); none = unrestricted. */
  readWhere?: ((entity: string) => readonly SqlCondition[]) | undefined
}

export function renderTerm (c: SqlCondition, ctx: RenderCtx): string {
  if ('any' in c) return renderAnyOf(c, ctx.params, ctx.qualifier)
  if ('bool' in c) return renderGroup(c, ctx)
  if ('via' in c) return renderRelated(c, ctx)
  if ('config' in c) return renderSearch(c, ctx)
  return renderCondition(c, ctx.params, ctx.qualifier)
}

/** Terms ANDed; '' when there is nothing to restrict (TRUE). */
export function renderAll (terms: readonly SqlCondition[], ctx: RenderCtx): string {
  const parts: string[] = []
  for (const t of terms) {
    const s = renderTerm(t, ctx)
    if (s !== '') parts.push(s)
  }
  return parts.length === 0 ? '' : parts.length === 1 ? parts[0] as string : `(${parts.join(' AND ')})`
}

function renderGroup (g: SqlGroup, ctx: RenderCtx): string {
  if (g.bool === 'and') return renderAll(g.terms, ctx)
  if (g.bool === 'not') {
    const inner = renderAll(g.terms, ctx)
    // IS NOT TRUE: a row whose value is NULL does not match `status = 'void'`, so NOT keeps it.
    return inner === '' ? 'FALSE' : `(${inner}) IS NOT TRUE`
  }
  if (g.terms.length === 0) return 'FALSE'
  const parts: string[] = []
  for (const t of g.terms) {
    const s = renderTerm(t, ctx)
    if (s === '') return ''
    parts.push(s)
  }
  return parts.length === 1 ? parts[0] as string : `(${parts.join(' OR ')})`
}

/** The current entity's columns as seen from inside a subquery (the main query has no alias). */
function outerQualifier (source: CompiledEntity, ctx: RenderCtx): string {
  return ctx.qualifier === '' ? `${source.table}.` : ctx.qualifier
}

/**
 * `EXISTS (SELECT 1 FROM target rN [JOIN join jN] WHERE <key match> AND <live> AND <read
 * conditions of target> AND <cond>)`. To-one and to-many edges alike: for a to-one edge the
 * EXISTS is the join (at most one row), for to-many it means "any child matches".
 */
function renderRelated (r: SqlRelated, ctx: RenderCtx): string {
  const { edge, source, target } = r.via
  const depth = ctx.depth + 1
  const alias = `r${depth}`
  const outer = outerQualifier(source, ctx)
  const local = source.fields.get(edge.localKey)
  const remote = target.fields.get(edge.remoteKey)
  if (local === undefined || remote === undefined) return 'FALSE'
  const parts: string[] = []
  let from = `${target.table} ${alias}`
  if (edge.join !== undefined) {
    const j = `j${depth}`
    from += ` JOIN ${edge.join.sqlTable} ${j} ON ${j}.${quoteIdent(edge.join.remoteColumn)} = ${alias}.${remote.column}`
    parts.push(`${j}.${quoteIdent(edge.join.localColumn)} = ${outer}${local.column}`)
  } else {
    parts.push(`${alias}.${remote.column} = ${outer}${local.column}`)
  }
  if (target.softDelete) parts.push(`${alias}."deleted_at" IS NULL`)
  const inner: RenderCtx = { ...ctx, qualifier: `${alias}.`, depth }
  const read = ctx.readWhere?.(target.name)
  if (read !== undefined) {
    const s = renderAll(read, inner)
    if (s !== '') parts.push(s)
  }
  const cond = renderTerm(r.cond, inner)
  if (cond !== '') parts.push(cond)
  return `EXISTS (SELECT 1 FROM ${from} WHERE ${parts.join(' AND ')})`
}
