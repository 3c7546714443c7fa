import { validationFailed } from '../errors.js'
import { eventUserId, nowMs, safeText } from './instrumenter.js'
import { randomHex, uuidv7 } from './ids.js'
import type { EventRow } from './types.js'

/** Serialized `metadata` beyond this is refused: events sit in memory until written. */
export const MAX_METADATA_BYTES = 8192

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
 * A business event whose shape the route schema checked (`schemas.ts`): the record id as text
 * and what a schema cannot say (`metadata` size and NUL characters, a printable record id);
 * 422 VALIDATION_FAILED with one detail per field.
 */
export function parseBusinessEvent (input: { event_type: string, entity?: string | null, record_id?: string | number | null, metadata?: Record<string, unknown> | null }): BusinessEventInput {
  const problems: Problem[] = []
  const recordId = recordIdOf(input.record_id, problems)
  const metadata = metadataOf(input.metadata, problems)
  if (problems.length > 0) throw validationFailed('Invalid event', problems)
  return { event_type: input.event_type, entity: input.entity ?? null, record_id: recordId, metadata }
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
