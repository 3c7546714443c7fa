import { compileExpressionCached, type ExpressionScope } from '../expressions/index.js'
import { checkKeys, isObject, type Problems } from '../rules/problems.js'
import type { SideEffect } from '../state-machines/side-effects.js'
import { MAX_METADATA_BYTES } from './business.js'
import { randomHex, uuidv7 } from './ids.js'
import { eventUserId, nowMs, safeText, type Instrumenter } from './instrumenter.js'
import type { EventRow } from './types.js'

const MAX_EVENT_NAME = 100

/**
 * Checks a `send_event` action (`{type: send_event, event: "name", data?: {key: "expression"}}`)
 * of a state-machine transition or a workflow step: the name is 1–100 printable characters, every
 * `data` value an expression (syntax errors carry their position). Problems are recorded at `at`.
 */
export function checkSendEvent (a: Record<string, unknown>, at: string, problems: Problems): void {
  checkKeys(problems, at, a, ['type', 'event', 'data'])
  if (typeof a.event !== 'string' || a.event.length > MAX_EVENT_NAME || safeText(a.event, MAX_EVENT_NAME) === null) {
    problems.add(`${at}.event`, 'required', `send_event needs an event name of 1 to ${MAX_EVENT_NAME} printable characters`)
  }
  if (a.data === undefined || a.data === null) return
  if (!isObject(a.data)) {
    problems.add(`${at}.data`, 'type', `${at}.data must be an object {key: "expression"}`)
    return
  }
  for (const [key, source] of Object.entries(a.data)) problems.expression(`${at}.data.${key}`, source)
}

/**
 * The event's `metadata`: each `data` expression evaluated over the action's scope (a value that
 * cannot be evaluated is null). Null without data. A result PostgreSQL's jsonb cannot hold (NUL)
 * or larger than a `POST /_events` body may send is replaced by a note, so one bad event never
 * makes the batch it is written with fail.
 */
export function sendEventMetadata (data: unknown, scope: ExpressionScope): Record<string, unknown> | null {
  if (!isObject(data)) return null
  const out: Record<string, unknown> = {}
  for (const [key, source] of Object.entries(data)) {
    try {
      out[key] = typeof source === 'string' ? compileExpressionCached(source).evaluate(scope) ?? null : null
    } catch {
      // Over the step budget, or a stored expression that no longer parses: the event still counts.
      out[key] = null
    }
  }
  let json: string
  try {
    json = JSON.stringify(out)
  } catch {
    return { dropped: 'the data is not representable as JSON' }
  }
  if (json.includes('\\u0000')) return { dropped: 'the data held a NUL character' }
  if (Buffer.byteLength(json) > MAX_METADATA_BYTES) return { dropped: `the data exceeded ${MAX_METADATA_BYTES} bytes as JSON` }
  return JSON.parse(json) as Record<string, unknown>
}

/** The `_events` row of a committed `send_event` action: source `business`, like `POST /_events`. */
export function sendEventRow (effect: SideEffect): EventRow {
  const pk = effect.app.registry.entities.get(effect.entity)?.pk.name ?? 'id'
  const id = effect.record[pk]
  const recordId = typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? safeText(String(id)) : null
  const name = String(effect.action.event)
  return {
    id: uuidv7(),
    // Not inside a request's trace: the action runs after commit, possibly in a background step.
    trace_id: effect.traceId ?? randomHex(16),
    span_id: randomHex(8),
    parent_span_id: null,
    event_type: name,
    source: 'business',
    component: null,
    action: null,
    entity: effect.entity,
    record_id: recordId,
    user_id: eventUserId(effect.user?.id),
    duration_ms: null,
    status: null,
    metadata: sendEventMetadata(effect.action.data, effect.scope ?? {}),
    created_at: nowMs()
  }
}

/**
 * The after-commit handler of `send_event` actions (the events module's): the event goes
 * through the server's event buffer (docs/ARCHITECTURE.md, Instrumentation and events),
 * whatever the sampling.
 */
export function sendEventHandler (instrumenter: Instrumenter): (effect: SideEffect) => void {
  return (effect) => { instrumenter.record(effect.app, [sendEventRow(effect)]) }
}
