import { filterQuery, pagedList, pagedQuery } from '../schema/pagination.js'
import { NAME_PATTERN } from '../metadata/schemas.js'
import { dataEnvelope, type Schema } from '../schema/route-schemas.js'

const TIME: Schema = { type: 'string', maxLength: 64, description: 'ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z.' }
const TRACE_ID: Schema = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }

const NULLABLE_TEXT: Schema = { type: ['string', 'null'] }

/** One `_events` row as the admin routes answer it (docs/reference.md, "UI configs, audit log, events"). */
const EVENT_PROPERTIES: Record<string, Schema> = {
  id: { type: 'string', format: 'uuid' },
  trace_id: { type: 'string' },
  span_id: NULLABLE_TEXT,
  parent_span_id: { ...NULLABLE_TEXT, description: 'The span this one ran in (the `http` span, or the caller\'s from `traceparent`).' },
  event_type: { type: 'string' },
  source: { type: 'string', enum: ['system', 'business'] },
  component: { ...NULLABLE_TEXT, description: '`http`, `auth`, `query`, `write`, ... (system spans).' },
  action: NULLABLE_TEXT,
  entity: NULLABLE_TEXT,
  record_id: NULLABLE_TEXT,
  user_id: { type: ['string', 'null'], format: 'uuid' },
  duration_ms: { type: ['number', 'null'] },
  status: { type: ['string', 'null'], enum: ['ok', 'error', null] },
  metadata: { type: ['object', 'null'], additionalProperties: true },
  created_at: { type: 'string', format: 'date-time', description: 'When the span started (or the event happened).' }
}

const EVENT: Schema = { type: 'object', required: Object.keys(EVENT_PROPERTIES), properties: EVENT_PROPERTIES, additionalProperties: false }

/** A trace as a waterfall: spans depth-first from the roots, each with its depth and start offset. */
const WATERFALL: Schema = {
  type: 'object',
  required: ['trace_id', 'started_at', 'duration_ms', 'spans'],
  properties: {
    trace_id: { type: 'string' },
    started_at: { type: 'string', format: 'date-time' },
    duration_ms: { type: 'number', description: 'From the first start to the last end among the spans.' },
    spans: {
      type: 'array',
      items: {
        type: 'object',
        required: [...Object.keys(EVENT_PROPERTIES), 'depth', 'offset_ms'],
        properties: { ...EVENT_PROPERTIES, depth: { type: 'integer', minimum: 0 }, offset_ms: { type: 'number', description: 'Start, from the trace\'s first span.' } },
        additionalProperties: false
      }
    }
  },
  additionalProperties: false
}

const MS: Schema = { type: ['number', 'null'] }

const STATS: Schema = {
  type: 'object',
  required: ['from', 'to', 'total', 'by_type', 'by_component', 'sampling_rate'],
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    total: { type: 'number', description: 'Events in the window.' },
    by_type: {
      type: 'array',
      description: 'At most 1,000 groups, most frequent first.',
      items: {
        type: 'object',
        required: ['event_type', 'source', 'count'],
        properties: { event_type: { type: 'string' }, source: { type: 'string', enum: ['system', 'business'] }, count: { type: 'integer' } },
        additionalProperties: false
      }
    },
    by_component: {
      type: 'array',
      items: {
        type: 'object',
        required: ['component', 'count', 'errors', 'p50_ms', 'p95_ms', 'max_ms'],
        properties: { component: { type: 'string' }, count: { type: 'integer' }, errors: { type: 'integer' }, p50_ms: MS, p95_ms: MS, max_ms: MS },
        additionalProperties: false
      }
    },
    sampling_rate: { type: 'number', minimum: 0, maximum: 1, description: 'Share of requests whose spans are recorded (`EVENTS_SAMPLING_RATE`).' }
  },
  additionalProperties: false
}

/** Route schemas of `/_admin/events` (docs/reference.md, "UI configs, audit log, events"). */
export const EVENT_ROUTES = {
  list: {
    operationId: 'admin_list_events',
    summary: 'Events, newest first',
    tags: ['admin'],
    querystring: pagedQuery({
      event_type: { type: 'string', maxLength: 200 },
      source: { type: 'string', enum: ['system', 'business'] },
      component: { type: 'string', maxLength: 200 },
      entity: { type: 'string', maxLength: 200 },
      record_id: { type: 'string', maxLength: 200 },
      trace_id: TRACE_ID,
      user_id: { type: 'string', format: 'uuid' },
      from: TIME,
      to: TIME
    }),
    response: { 200: pagedList(EVENT) }
  },
  trace: {
    operationId: 'admin_event_trace',
    summary: 'One trace as a waterfall',
    description: '404 when the trace has no events.',
    tags: ['admin'],
    params: { type: 'object', required: ['trace_id'], properties: { trace_id: TRACE_ID } },
    response: { 200: dataEnvelope(WATERFALL) }
  },
  stats: {
    operationId: 'admin_event_stats',
    summary: 'Counts per type and source, duration percentiles per component',
    description: 'Over `[from, to)`; default: the last 24 hours.',
    tags: ['admin'],
    querystring: filterQuery({ from: TIME, to: TIME }),
    response: { 200: dataEnvelope(STATS) }
  }
}

/** Business event names: lower-case, may be namespaced (`order.shipped`, `billing:invoice-paid`). */
export const EVENT_TYPE_PATTERN = '^[a-z][a-z0-9_.:-]{0,99}$'

/**
 * `POST /_events` (docs/reference.md, "Instrumentation and events"). What a schema cannot say
 * stays in `business.ts`: `metadata` at most 8 KiB as JSON and free of NUL characters, a
 * printable `record_id`.
 */
export const BUSINESS_EVENT_ROUTE = {
  operationId: 'send_event',
  summary: 'Record a business event in the request\'s trace',
  description: 'Any authenticated user; limited per user (`EVENTS_MAX_PER_MINUTE`, 429). Answered 202 before the row is written.',
  tags: ['events'],
  body: {
    type: 'object',
    required: ['event_type'],
    properties: {
      event_type: { type: 'string', pattern: EVENT_TYPE_PATTERN },
      entity: { type: ['string', 'null'], pattern: NAME_PATTERN },
      record_id: { type: ['string', 'integer', 'null'], minLength: 1, maxLength: 200, description: 'A string of 1-200 printable characters or an integer.' },
      metadata: { type: ['object', 'null'], additionalProperties: true, description: 'Any JSON object of at most 8 KiB.' }
    },
    additionalProperties: false
  },
  response: {
    202: dataEnvelope({
      type: 'object',
      required: ['id', 'trace_id'],
      properties: { id: { type: 'string', format: 'uuid' }, trace_id: { type: 'string' } },
      additionalProperties: false
    })
  },
  errors: [429]
}
