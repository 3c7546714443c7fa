import { filterQuery, pagedQuery } from '../schema/pagination.js'
import type { Schema } from '../schema/route-schemas.js'

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
