import { isAdmin, type UserContext } from '../apps/context.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import type { FieldAccess } from '../query/types.js'
import { fieldAccessFor } from './compile.js'
import { policiesOf } from './policies.js'
import { checkStreamFields } from './read-fields.js'

type Row = Readonly<Record<string, unknown>> | null

/**
 * The fields a realtime event of one change may carry for one subscriber (docs/security.md,
 * "Field permissions"): its `fields[entity]` selection cut to what its read policies show of
 * the row — the new row for a create, the old one for a delete, both for an update (its `old`
 * and `changes` must not show what either side hides). null = every field, as before.
 */
export function streamFields (entity: CompiledEntity, access: FieldAccess | undefined, selected: readonly string[] | null, rows: { record: Row, old: Row, action: 'create' | 'update' | 'delete' }): readonly string[] | null {
  if (access === undefined || access.kind === 'all') return selected
  if (access.kind === 'fixed') {
    // The same for every event of the subscription: computed once per (access, selection).
    let bySelection = fixedLists.get(access)
    if (bySelection === undefined) fixedLists.set(access, bySelection = new Map())
    const key = selected?.join(',') ?? '*'
    let list = bySelection.get(key)
    if (list === undefined) bySelection.set(key, list = cut(entity, selected, (name) => access.fields.has(name)))
    return list
  }
  const { record, old, action } = rows
  const now = action !== 'delete' && record !== null ? access.of(record) : null
  const before = action !== 'create' && old !== null ? access.of(old) : null
  return cut(entity, selected, (name) => (now === null || now.has(name)) && (before === null || before.has(name)) && (now !== null || before !== null))
}

const fixedLists = new WeakMap<FieldAccess, Map<string, readonly string[]>>()

function cut (entity: CompiledEntity, selected: readonly string[] | null, visible: (name: string) => boolean): string[] {
  const out: string[] = []
  for (const f of entity.fieldList) if ((selected === null || selected.includes(f.name)) && visible(f.name)) out.push(f.name)
  return out
}

/** At subscribe: 403 when `filter[entity]` / `fields[entity]` name a field the subscriber's read policies hide. */
export function checkStreamInterest (registry: Registry, entity: CompiledEntity, interest: { filterFields: readonly string[], fields: readonly string[] | null }, user: UserContext | null): void {
  if (user === null || isAdmin(user)) return
  const access = fieldAccessFor(policiesOf(registry), { entity: entity.name, action: 'read', user })
  if (access.kind !== 'all') checkStreamFields(entity, { filters: interest.filterFields, fields: interest.fields }, access)
}
