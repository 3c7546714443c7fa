import type { KnownOperations } from './admin-paths.js'
import { errorResponses } from './components.js'
import type { SchemaObject } from './types.js'

/** The JSON in `data:` of a change event (docs/reference.md "Realtime"). */
const EVENT_DATA: SchemaObject = {
  type: 'object',
  required: ['entity', 'id', 'action', 'record', 'at'],
  properties: {
    entity: { type: 'string' },
    id: { description: 'Primary key of the record.' },
    action: { type: 'string', enum: ['create', 'update', 'delete'], description: 'Always the event name.' },
    record: { type: 'object', description: 'The record as a read shows it (a delete: the row as it was); `fields[<entity>]` selects fields.' },
    old: { type: 'object', description: 'update only: the row before the change.' },
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
  'not_in, is_null); fields: `fields[<entity>]=a,b`.'
].join(' ')

/** `GET /_realtime` (routes/app/realtime.ts). */
export function realtimeOperations (): KnownOperations {
  return {
    'GET /_realtime': {
      operationId: 'realtime_stream',
      summary: 'Stream changes (Server-Sent Events)',
      description: DESCRIPTION,
      tags: ['realtime'],
      parameters: [
        { name: 'entities', in: 'query', required: true, description: 'Comma-separated entity names.', schema: { type: 'string' } },
        { name: 'last_event_id', in: 'query', description: 'Resume after this change id (as the `Last-Event-ID` header).', schema: { type: 'string', pattern: '^[0-9]{1,15}$' } },
        { name: 'Last-Event-ID', in: 'header', description: 'Resume after this change id (sent by EventSource on reconnect).', schema: { type: 'string', pattern: '^[0-9]{1,15}$' } },
        { name: 'access_token', in: 'query', description: 'The access token, for clients that cannot send headers (EventSource); never logged.', schema: { type: 'string' } }
      ],
      responses: {
        200: {
          description: 'The event stream.',
          content: { 'text/event-stream': { schema: { type: 'string', 'x-rocket-event-data': EVENT_DATA } } }
        },
        ...errorResponses([400, 401, 403, 404, 500])
      }
    }
  }
}
