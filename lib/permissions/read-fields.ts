import { searchableFields } from '../ddl/search-ddl.js'
import { forbidden, type ErrorDetail } from '../errors.js'
import type { CompiledEntity, RelationEdge } from '../metadata/compiled.js'
import type { IncludeSel, Selection } from '../query/selection.js'
import type { FieldAccess, ListQuery, SortTerm, SqlCondition } from '../query/types.js'
import { everyRowFields, someRowFields } from './field-access.js'

/**
 * Field-level read permissions on the query side (docs/security.md, "Field permissions"): what
 * a request may filter, sort, search, aggregate and select. A filter, sort, search or aggregate
 * may only use fields the caller sees on EVERY row it can read (otherwise which rows match
 * would tell a hidden value); `fields=` may name fields the caller sees on SOME row (the
 * response then shows them only there). Anything else is 403 FORBIDDEN naming each field.
 */

export type AccessOf = (entityName: string) => FieldAccess

/** Collects the hidden fields a request uses, each once. */
class Hidden {
  readonly details: ErrorDetail[] = []

  add (path: string, entity: CompiledEntity, field: string, use: string): void {
    const name = path === '' ? field : `${path}.${field}`
    if (this.details.some((d) => d.field === name)) return
    this.details.push({ field: name, rule: 'field_permission', message: `field '${field}' of ${entity.name} is not readable for you: it cannot be ${use}` })
  }

  throwIfAny (): void {
    const first = this.details[0]
    if (first === undefined) return
    const names = this.details.map((d) => d.field ?? '').join(', ')
    throw forbidden(`Not allowed to read field${this.details.length > 1 ? 's' : ''} ${names}`, this.details)
  }
}

/** An edge whose join key is a field of its source other than the PK: using it shows that field's value. */
function fkOf (source: CompiledEntity, edge: RelationEdge): string | null {
  return edge.localKey === source.pk.name ? null : edge.localKey
}

function checkCondition (c: SqlCondition, ctx: { entity: CompiledEntity, path: string, access: AccessOf, hidden: Hidden }): void {
  const { entity, path, access, hidden } = ctx
  // Permission OR-groups are the policies' own conditions, not the caller's.
  if ('any' in c) return
  if ('bool' in c) { for (const t of c.terms) checkCondition(t, ctx); return }
  const visible = everyRowFields(access(entity.name))
  if ('via' in c) {
    const { edge, target } = c.via
    const fk = fkOf(entity, edge)
    if (fk !== null && visible !== null && !visible.has(fk)) hidden.add(path, entity, fk, 'filtered on')
    checkCondition(c.cond, { ...ctx, entity: target, path: path === '' ? edge.name : `${path}.${edge.name}` })
    return
  }
  if ('config' in c) {
    if (visible === null) return
    for (const f of searchableFields(entity.def)) if (!visible.has(f)) hidden.add(path, entity, f, 'searched')
    return
  }
  if (visible !== null && !visible.has(c.field.name)) hidden.add(path, entity, c.field.name, 'filtered on')
}

function checkSort (entity: CompiledEntity, sort: readonly SortTerm[], access: AccessOf, hidden: Hidden): void {
  const visible = everyRowFields(access(entity.name))
  if (visible === null) return
  for (const t of sort) if (!visible.has(t.field.name)) hidden.add('', entity, t.field.name, 'sorted on')
}

function checkIncludes (parent: CompiledEntity, includes: readonly IncludeSel[], access: AccessOf, hidden: Hidden): void {
  for (const inc of includes) {
    const fk = fkOf(parent, inc.edge)
    const parentSees = someRowFields(access(parent.name))
    // An eager edge is always attached; a hidden key empties it per row instead (redaction).
    const requested = !parent.eagerEdges.includes(inc.edge) || inc.fields !== null
    if (requested && fk !== null && parentSees !== null && !parentSees.has(fk)) {
      const at = inc.path.includes('.') ? inc.path.slice(0, inc.path.lastIndexOf('.')) : ''
      hidden.add(at, parent, fk, `included through (${inc.edge.name})`)
    }
    const sees = someRowFields(access(inc.target.name))
    if (sees !== null && inc.fields !== null) for (const f of inc.fields) if (!sees.has(f.name)) hidden.add(inc.path, inc.target, f.name, 'selected')
    checkIncludes(inc.target, inc.children, access, hidden)
  }
}

function checkSelection (entity: CompiledEntity, select: Selection | undefined, access: AccessOf, hidden: Hidden): void {
  if (select === undefined) return
  const sees = someRowFields(access(entity.name))
  if (sees !== null && select.fields !== null) for (const f of select.fields) if (!sees.has(f.name)) hidden.add('', entity, f.name, 'selected')
  checkIncludes(entity, select.includes, access, hidden)
}

/**
 * 403 when a list or get request filters, sorts, searches or walks a cursor over a field the
 * caller does not see on every row, or selects (`fields=`, `fields[<include>]=`) or includes
 * through a field it sees on no row. Conditions are checked through relation filters too.
 */
export function checkReadFields (entity: CompiledEntity, q: Pick<ListQuery, 'filters' | 'sort' | 'select'> & { keyset?: ListQuery['keyset'] }, access: AccessOf): void {
  const hidden = new Hidden()
  for (const c of q.filters) checkCondition(c, { entity, path: '', access, hidden })
  checkSort(entity, q.keyset?.terms ?? q.sort, access, hidden)
  checkSelection(entity, q.select, access, hidden)
  hidden.throwIfAny()
}

/** 403 when an aggregate groups by, aggregates over, filters on or searches a field the caller does not see on every row. */
export function checkAggregateFields (entity: CompiledEntity, q: { groupBy: ReadonlyArray<{ name: string }>, funcs: ReadonlyArray<{ field: { name: string } }>, filters: readonly SqlCondition[] }, access: AccessOf): void {
  const hidden = new Hidden()
  const visible = everyRowFields(access(entity.name))
  if (visible !== null) {
    for (const f of q.groupBy) if (!visible.has(f.name)) hidden.add('', entity, f.name, 'grouped by')
    for (const a of q.funcs) if (!visible.has(a.field.name)) hidden.add('', entity, a.field.name, 'aggregated')
  }
  for (const c of q.filters) checkCondition(c, { entity, path: '', access, hidden })
  hidden.throwIfAny()
}

/** 403 for a realtime subscription whose `filter[entity]` or `fields[entity]` names a hidden field. */
export function checkStreamFields (entity: CompiledEntity, use: { filters: readonly string[], fields: readonly string[] | null }, access: FieldAccess): void {
  const hidden = new Hidden()
  const every = everyRowFields(access)
  const some = someRowFields(access)
  if (every !== null) for (const f of use.filters) if (!every.has(f)) hidden.add('', entity, f, 'filtered on')
  if (some !== null && use.fields !== null) for (const f of use.fields) if (!some.has(f)) hidden.add('', entity, f, 'selected')
  hidden.throwIfAny()
}
