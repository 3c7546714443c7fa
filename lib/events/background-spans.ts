import type { DeliveryAttempt } from '../webhooks/runtime.js'
import { roundMs } from './instrumenter.js'
import { randomHex, uuidv7 } from './ids.js'
import type { EventRow } from './types.js'

/**
 * A webhook delivery attempt as a span. Deliveries run in the background, outside any
 * request: every attempt of one delivery (first try and retries) shares the trace
 * `webhook-<log id>`, so its waterfall shows the retries in order. The URL is left out (it
 * may carry credentials); the log id leads to it.
 */
export function webhookSpan (a: DeliveryAttempt): EventRow {
  const { log, result } = a
  return {
    id: uuidv7(),
    trace_id: `webhook-${log.id}`,
    span_id: randomHex(8),
    parent_span_id: null,
    event_type: 'webhook.delivery',
    source: 'system',
    component: 'webhook',
    action: log.hook,
    entity: log.entity,
    record_id: null,
    user_id: null,
    duration_ms: roundMs(a.durationMs),
    status: a.status === 'delivered' ? 'ok' : 'error',
    metadata: { log_id: log.id, webhook_id: log.webhook_id, attempt: log.attempt, outcome: a.status, response_status: result.status },
    created_at: a.startedAt
  }
}
