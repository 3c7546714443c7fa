import { filterQuery, pagedQuery } from '../schema/pagination.js'
import { NAME_PATTERN } from '../metadata/schemas.js'
import { dataEnvelope, type Schema } from '../schema/route-schemas.js'

const TIME: Schema = { type: 'string', maxLength: 64, description: 'ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z.' }
const TRACE_ID: Schema = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }

/** Route schemas of `/_admin/events` (docs/reference.md, "Instrumentation and events"). */
export const EVENT_ROUTES = {
  list: {
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
    })
  },
  trace: { summary: 'One trace as a waterfall', tags: ['admin'], params: { type: 'object', required: ['trace_id'], properties: { trace_id: TRACE_ID } } },
  stats: { summary: 'Counts per type and source, duration percentiles per component', tags: ['admin'], querystring: filterQuery({ from: TIME, to: TIME }) }
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
