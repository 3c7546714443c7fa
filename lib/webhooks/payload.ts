import { randomUUID } from 'node:crypto'
import type { ExpressionScope } from '../expressions/index.js'
import { recordOf } from '../rules/scope.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import type { WebhookHook, WebhookPayload } from './types.js'

type Changes = WebhookPayload['changes']

function same (a: unknown, b: unknown): boolean {
  if (a === b) return true
  // Dates, JSON values: compare as they would be sent.
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}

/**
 * `changes` of a record: on create every written field (old null); on update the fields the
 * write changed, compared with the current row; on delete nothing (the record is in `old`).
 */
export function changesOf (node: WriteNode, record: Record<string, unknown>): Changes {
  const out: Changes = {}
  if (node.action === 'delete') return out
  if (node.action === 'create' || node.old === null) {
    for (const [f, v] of Object.entries(record)) out[f] = { old: null, new: v ?? null }
    return out
  }
  for (const f of Object.keys(node.values)) {
    if (!node.entity.fields.has(f)) continue
    const before = node.old[f]
    const after = f in record ? record[f] : node.values[f]
    if (!same(before, after)) out[f] = { old: before ?? null, new: after ?? null }
  }
  return out
}

/** Dates become ISO text, undefined disappears: the payload is exactly what will be sent. */
function jsonSafe<T> (value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/** What happened to one record, as conditions see it (raw values: Dates stay Dates). */
export interface RecordEvent {
  hook: string
  action: WriteNode['action']
  entity: string
  record: Record<string, unknown>
  old: Record<string, unknown> | null
  changes: Changes
  user: WebhookPayload['user']
  now: Date
}

/**
 * The event of one record for one hook. `record` is what the hook is about: for before_write
 * the incoming values merged over the current row, for after_write the row as written, for
 * deletes the row being (or just) deleted.
 */
export function eventOf (node: WriteNode, unit: WriteUnit, hook: WebhookHook): RecordEvent {
  let record: Record<string, unknown>
  if (node.action === 'delete') record = { ...(node.row ?? node.old ?? {}) }
  else record = hook === 'after_write' && node.row !== undefined ? { ...node.row } : recordOf(node)
  const u = unit.user
  return {
    hook,
    action: node.action,
    entity: node.entity.name,
    record,
    old: node.old,
    changes: changesOf(node, record),
    user: u === null ? null : { id: u.id, email: u.email, roles: u.roles },
    now: unit.now
  }
}

/** Variables of a webhook condition: `record`, `old`, `changes`, `action`, `entity`, `user`, `now`. */
export function conditionScope (ev: RecordEvent): ExpressionScope {
  return { record: ev.record, old: ev.old, changes: ev.changes, action: ev.action, entity: ev.entity, user: ev.user, now: ev.now }
}

/**
 * The body sent for an event (docs/reference.md, "Webhooks"), JSON-safe. A fresh idempotency key identifies the
 * delivery; its retries reuse it. `extra` adds keys (a state-machine transition).
 */
export function payloadOf (ev: RecordEvent, extra: Record<string, unknown> = {}): WebhookPayload {
  return jsonSafe({
    // Receivers switch on the hook (docs/ARCHITECTURE.md, Webhooks); `action` says create/update/delete.
    event: ev.hook,
    hook: ev.hook,
    entity: ev.entity,
    action: ev.action,
    record: ev.record,
    old: ev.old,
    changes: ev.changes,
    user: ev.user,
    timestamp: ev.now.toISOString(),
    idempotency_key: randomUUID(),
    ...extra
  })
}
