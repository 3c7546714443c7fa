import { didYouMean, invalidPayload, unknownField, validationFailed, type ApiError } from '../errors.js'
import { NAME_RE } from '../metadata/validate-entity.js'
import { eventUserId, nowMs, safeText } from './instrumenter.js'
import { randomHex, uuidv7 } from './ids.js'
import type { EventRow } from './types.js'

/** Business event names: lower-case, may be namespaced (`order.shipped`, `billing:invoice-paid`). */
export const EVENT_TYPE_RE = /^[a-z][a-z0-9_.:-]{0,99}$/

/** Serialized `metadata` beyond this is refused: events sit in memory until written. */
export const MAX_METADATA_BYTES = 8192

const KEYS = ['event_type', 'entity', 'record_id', 'metadata']

/** A validated `POST /_events` body. */
export interface BusinessEventInput {
  event_type: string
  entity: string | null
  record_id: string | null
  metadata: Record<string, unknown> | null
}

interface Problem { field: string, rule: string, message: string }

function recordIdOf (value: unknown, problems: Problem[]): string | null {
  if (value === undefined || value === null) return null
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value
  if (typeof text !== 'string' || text.length > 200 || safeText(text) === null) {
    problems.push({ field: 'record_id', rule: 'type', message: 'record_id must be a string of 1-200 printable characters or an integer' })
    return null
  }
  return text
}

function metadataOf (value: unknown, problems: Problem[]): Record<string, unknown> | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ field: 'metadata', rule: 'type', message: 'metadata must be an object' })
    return null
  }
  const json = JSON.stringify(value)
  if (Buffer.byteLength(json) > MAX_METADATA_BYTES) {
    problems.push({ field: 'metadata', rule: 'max_size', message: `metadata must serialize to at most ${MAX_METADATA_BYTES} bytes` })
  } else if (json.includes('\\u0000')) {
    // PostgreSQL's jsonb cannot store a NUL character.
    problems.push({ field: 'metadata', rule: 'type', message: 'metadata must not contain NUL characters' })
  }
  return value as Record<string, unknown>
}

/**
 * Validates a business event: an object with a required `event_type` (`EVENT_TYPE_RE`), an
 * optional `entity` (a name), `record_id` (string or integer) and `metadata` (an object of at
 * most 8 KiB as JSON). Not an object → 400 INVALID_PAYLOAD; an unknown key → 400 UNKNOWN_FIELD;
 * bad values → 422 VALIDATION_FAILED with one detail per field.
 */
export function parseBusinessEvent (body: unknown): BusinessEventInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidPayload('The body must be a JSON object')
  const input = body as Record<string, unknown>
  for (const key of Object.keys(input)) {
    if (!KEYS.includes(key)) throw unknownFieldError(key)
  }
  const problems: Problem[] = []
  const type = input.event_type
  if (type === undefined || type === null) problems.push({ field: 'event_type', rule: 'required', message: 'event_type is required' })
  else if (typeof type !== 'string' || !EVENT_TYPE_RE.test(type)) {
    problems.push({ field: 'event_type', rule: 'pattern', message: 'event_type must match ^[a-z][a-z0-9_.:-]{0,99}$' })
  }
  const entity = input.entity
  if (entity !== undefined && entity !== null && (typeof entity !== 'string' || !NAME_RE.test(entity))) {
    problems.push({ field: 'entity', rule: 'pattern', message: 'entity must match ^[a-z][a-z0-9_]{0,62}$' })
  }
  const recordId = recordIdOf(input.record_id, problems)
  const metadata = metadataOf(input.metadata, problems)
  if (problems.length > 0) throw validationFailed('Invalid event', problems)
  return { event_type: type as string, entity: (entity as string | null | undefined) ?? null, record_id: recordId, metadata }
}

function unknownFieldError (key: string): ApiError {
  const name = key.slice(0, 100)
  return unknownField(`Unknown field '${name}'${didYouMean(name, KEYS)}`, [{ field: name, message: `allowed: ${KEYS.join(', ')}` }])
}

/**
 * A business event as an `_events` row: source `business`, in the request's trace (a child of
 * its http span when the request is sampled). Recorded whatever the sampling.
 */
export function businessEventRow (input: BusinessEventInput, ctx: { traceId: string, parentSpanId: string | null, userId: string | null }): EventRow {
  const userId = eventUserId(ctx.userId)
  return {
    id: uuidv7(),
    trace_id: ctx.traceId,
    span_id: randomHex(8),
    parent_span_id: ctx.parentSpanId,
    event_type: input.event_type,
    source: 'business',
    component: null,
    action: null,
    entity: input.entity,
    record_id: input.record_id,
    user_id: userId,
    duration_ms: null,
    status: null,
    metadata: input.metadata,
    created_at: nowMs()
  }
}
