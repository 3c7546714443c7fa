import { spanRow, wallOf } from './instrumenter.js'
import type { EventRow, RequestTrace } from './types.js'

/** How a sampled request ended, as the server saw it (no Fastify types here). */
export interface RequestOutcome {
  method: string
  /** The matched route pattern, e.g. `/api/:app/:entity`; null when no route matched. */
  route: string | null
  statusCode: number
  /** The authenticated caller (a UUID, see `eventUserId`), null when the route is public or authentication failed. */
  userId: string | null
  /** `:entity` / `:id` of the route, when it has them. */
  entity: string | null
  recordId: string | null
  /** `performance.now()` when the response was sent. */
  end: number
}

const ENTITY_LIST = '/api/:app/:entity'
const ENTITY_GET = '/api/:app/:entity/:id'

function statusOf (statusCode: number): 'ok' | 'error' {
  return statusCode >= 400 ? 'error' : 'ok'
}

/**
 * The auth span: from the start of the request to the end of its `onRequest` phase (app
 * resolution, token check, admin check). Only for requests that went through authentication:
 * a caller was identified, or the request was refused as unauthenticated.
 */
function authSpan (trace: RequestTrace, o: RequestOutcome): EventRow | null {
  if (o.userId === null && o.statusCode !== 401) return null
  const refused = trace.authEnd === 0
  return spanRow(trace, {
    eventType: 'auth.authenticate',
    component: 'auth',
    action: 'authenticate',
    userId: o.userId,
    startedAt: trace.wall,
    durationMs: (refused ? o.end : trace.authEnd) - trace.mono,
    status: o.statusCode === 401 || (refused && o.statusCode === 403) ? 'error' : 'ok'
  })
}

/** The query span of an entity read: from the handler's start to the response (query, includes, serialization). */
function querySpan (trace: RequestTrace, o: RequestOutcome): EventRow | null {
  if (o.method !== 'GET' || trace.handlerStart === 0 || (o.route !== ENTITY_LIST && o.route !== ENTITY_GET)) return null
  const action = o.route === ENTITY_LIST ? 'list' : 'get'
  return spanRow(trace, {
    eventType: `query.${action}`,
    component: 'query',
    action,
    entity: o.entity,
    recordId: o.recordId,
    userId: o.userId,
    startedAt: wallOf(trace, trace.handlerStart),
    durationMs: o.end - trace.handlerStart,
    status: statusOf(o.statusCode)
  })
}

/**
 * Every span of a finished sampled request: the http span (the root, child of the caller's
 * span if it sent a `traceparent`), auth, the entity query, and the spans its parts recorded
 * meanwhile (writes), in that order.
 */
export function requestSpans (trace: RequestTrace, o: RequestOutcome): EventRow[] {
  const http: EventRow = {
    ...spanRow(trace, {
      eventType: 'http.request',
      component: 'http',
      action: `${o.method} ${o.route ?? '(no route)'}`,
      entity: o.entity,
      recordId: o.recordId,
      userId: o.userId,
      startedAt: trace.wall,
      durationMs: o.end - trace.mono,
      status: statusOf(o.statusCode),
      metadata: { status_code: o.statusCode },
      parentSpanId: trace.parentSpanId
    }),
    span_id: trace.spanId
  }
  const out = [http]
  const auth = authSpan(trace, o)
  if (auth !== null) out.push(auth)
  const query = querySpan(trace, o)
  if (query !== null) out.push(query)
  for (const s of trace.spans) out.push(s)
  return out
}
