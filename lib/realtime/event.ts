import type { CompiledEntity } from '../metadata/compiled.js'
import type { RowTest } from '../permissions/match.js'
import type { FieldAccess } from '../query/types.js'
import type { ChangeRow } from './changes.js'
import type { EntityInterest } from './subscription.js'

export type ChangeAction = ChangeRow['action']

/** One SSE event ready to write. */
export interface Outgoing {
  id: number
  event: ChangeAction
  /** The `data:` JSON (one line: JSON text never holds a raw newline). */
  data: string
}

/** What a subscriber may see of one entity: its read grant (null: every row) and its own filters. */
export interface EntityView {
  entity: CompiledEntity
  interest: EntityInterest
  /** The fields events carry (`record`/`old`/`changes`); null for every field. */
  fields: readonly string[] | null
  /** Row-level read permission; null when the subscriber reads every row (admin, or an unconditional policy). */
  grant: RowTest | null
  /** Field-level read permission (lib/permissions/stream-fields.ts); absent = every field. */
  access?: FieldAccess
}

function inScope (view: EntityView, row: Record<string, unknown> | null): boolean {
  if (row === null) return false
  if (view.grant !== null && !view.grant(row)) return false
  for (const t of view.interest.filters) if (!t(row)) return false
  return true
}

/**
 * The action a subscriber sees (docs/reference.md "Realtime"): a create or delete when the
 * row is in its scope (the new row for a create, the old one for a delete); an update as an
 * update when both are in scope, as a create when it brings the row into scope, as a delete
 * when it moves the row out; null when the subscriber sees nothing.
 */
export function visibleAction (view: EntityView, change: ChangeRow): ChangeAction | null {
  switch (change.action) {
    case 'create': return inScope(view, change.record) ? 'create' : null
    case 'delete': return inScope(view, change.old) ? 'delete' : null
    case 'update': {
      const now = inScope(view, change.record)
      const before = inScope(view, change.old)
      if (now) return before ? 'update' : 'create'
      return before ? 'delete' : null
    }
  }
}

/** A record with the view's fields in entity order, as a read shows it (values are already API-rendered). */
function project (entity: CompiledEntity, fields: readonly string[] | null, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of entity.fieldList) {
    if (fields !== null && !fields.includes(f.name)) continue
    if (Object.hasOwn(row, f.name)) out[f.name] = row[f.name]
  }
  return out
}

function same (a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}

/**
 * The `data` of an event: `{entity, id, action, record, old?, changes?, at}`. A delete's
 * `record` is the row as it was; an update carries `old` and `changes` (`{field: {old, new}}`
 * of the selected fields that changed). Same `fields` and action, same text: the fan-out
 * builds it once per change for every subscriber sharing them.
 */
export function eventData (entity: CompiledEntity, fields: readonly string[] | null, change: ChangeRow, action: ChangeAction): string {
  const source = action === 'delete' ? change.old ?? change.record ?? {} : change.record ?? {}
  const record = project(entity, fields, source)
  const data: Record<string, unknown> = { entity: change.entity, id: source[entity.pk.name] ?? change.record_id, action, record }
  if (action === 'update' && change.old !== null) {
    const old = project(entity, fields, change.old)
    const changes: Record<string, { old: unknown, new: unknown }> = {}
    for (const [k, v] of Object.entries(record)) if (!same(old[k], v)) changes[k] = { old: old[k] ?? null, new: v ?? null }
    data.old = old
    data.changes = changes
  }
  data.at = change.at instanceof Date ? change.at.toISOString() : change.at
  return JSON.stringify(data)
}

/** The SSE frame of an event. */
export function frameOf (ev: Outgoing): string {
  return `id: ${ev.id}\nevent: ${ev.event}\ndata: ${ev.data}\n\n`
}

/** A control event (reset, overflow, auth_expired, reconnect): no id, so it never moves the client's resume point, unless given. */
export function controlFrame (event: string, data: Record<string, unknown> = {}, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}
