import type { Schema } from '../schema/route-schemas.js'

/** The JSON in `data:` of a change event (docs/reference.md "Realtime"). */
const EVENT_DATA: Schema = {
  type: 'object',
  required: ['entity', 'id', 'action', 'record', 'at'],
  properties: {
    entity: { type: 'string' },
    id: { description: 'Primary key of the record.' },
    action: { type: 'string', enum: ['create', 'update', 'delete'], description: 'Always the event name.' },
    record: { type: 'object', additionalProperties: true, description: 'The record as a read shows it (a delete: the row as it was); `fields[<entity>]` selects fields.' },
    old: { type: 'object', additionalProperties: true, description: 'update only: the row before the change.' },
    changes: { type: 'object', description: 'update only: `{field: {old, new}}` of the fields that changed.', additionalProperties: { type: 'object', properties: { old: {}, new: {} } } },
    at: { type: 'string', format: 'date-time' }
  }
}

const DESCRIPTION = [
  'A Server-Sent Events stream of committed changes to the listed entities, filtered by what the caller may read.',
  'Events: `create`, `update`, `delete` (`id:` = the change id, increasing; `data:` = JSON, see `x-rocket-event-data`).',
  'An update that moves a record into the caller\'s scope is sent as `create`, out of it as `delete`.',
  'Control events: `reset` (the resume point is no longer retained: reload, the stream continues live), `overflow` (the client fell',
  '1,000 events behind; closed), `auth_expired` (the token or API key expired or was revoked, or the user deactivated; closed), `reconnect` (server shutting down; reconnect with the last id).',
  'Heartbeat comments keep the connection open. Filters: `filter[<entity>][<field>.<op>]=value` (ops eq, neq, gt, gte, lt, lte, in,',
  'not_in, is_null); fields: `fields[<entity>]=a,b`. Entities, fields and filters are checked against the app\'s metadata',
  '(unknown entity 404, unknown field 400).'
].join(' ')

const CHANGE_ID: Schema = { type: 'string', pattern: '^\\s*(0|[1-9][0-9]{0,14})\\s*$' }

/**
 * `GET /_realtime` (routes/app/realtime.ts). The query string is closed: `entities`, `last_event_id`,
 * `access_token`, and the per-entity `filter[…][…]` / `fields[…]` keys; each given once.
 */
export const REALTIME_ROUTE = {
  operationId: 'realtime_stream',
  summary: 'Stream changes (Server-Sent Events)',
  description: DESCRIPTION,
  tags: ['realtime'],
  querystring: {
    type: 'object',
    required: ['entities'],
    properties: {
      entities: { type: 'string', minLength: 1, maxLength: 10_000, description: 'Comma-separated entity names.' },
      last_event_id: { ...CHANGE_ID, description: 'Resume after this change id (as the `Last-Event-ID` header).' },
      access_token: { type: 'string', maxLength: 10_000, description: 'The access token, for clients that cannot send headers (EventSource); never logged.' }
    },
    patternProperties: {
      '^filter\\[[^\\]]*\\](\\[[^\\]]*\\])?$': { type: 'string' },
      '^fields\\[[^\\]]*\\]$': { type: 'string' }
    },
    additionalProperties: false
  },
  headers: {
    type: 'object',
    properties: { 'Last-Event-ID': { ...CHANGE_ID, description: 'Resume after this change id (sent by EventSource on reconnect).' } }
  },
  response: {
    200: { description: 'The event stream.', content: { 'text/event-stream': { schema: { type: 'string', 'x-rocket-event-data': EVENT_DATA } } } }
  }
}
