import { randomUUID } from 'node:crypto'
import type { AppContext } from '../apps/context.js'
import type { Sql, TransactionSql } from '../db/connection.js'
import { UUID_RE } from '../fields/spec.js'
import { isObject } from '../rules/problems.js'
import type { SideEffect } from '../state-machines/side-effects.js'
import { webhooksOf, type CompiledWebhooks } from './compile.js'
import { insertFinishedLog, insertPendingLog, type NewLog } from './outbox.js'
import { DEFAULT_ATTEMPTS, isAttemptCount, urlProblem } from './settings.js'
import { webhookRow } from './store.js'
import { STATE_MACHINE_HOOK, WEBHOOK_METHODS, type WebhookMethod, type WebhookPayload } from './types.js'

/** What to call, from a `webhook` action: either a configured webhook or an inline target. */
export interface Target {
  webhookId: string | null
  url: string
  method: string
  headers: Record<string, string>
  maxAttempts: number
}

/** Only string header values are kept from an inline action (it was never validated as a webhook). */
function stringHeaders (raw: unknown): Record<string, string> {
  if (!isObject(raw)) return {}
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'))
}

/**
 * The target of a state-machine `webhook` action: `{webhook_id}` reuses a configured webhook
 * (its url, method, headers, retry policy and secret), otherwise `{url, method?, headers?,
 * max_attempts?}` describes an unsigned one (also used by workflow `webhook` actions). A string
 * names why there is no target (unknown webhook).
 */
export async function targetOf (app: AppContext, action: Readonly<Record<string, unknown>>): Promise<Target | string> {
  const id = action.webhook_id
  if (typeof id === 'string') {
    const row = UUID_RE.test(id) ? await webhookRow(app.sql, id) : null
    if (row === null) return `webhook ${id.slice(0, 100)} not found`
    return { webhookId: row.id, url: row.url, method: row.method, headers: row.headers, maxAttempts: row.retry.max_attempts }
  }
  const method = typeof action.method === 'string' ? action.method.toUpperCase() : 'POST'
  const attempts = action.max_attempts
  return {
    webhookId: null,
    url: typeof action.url === 'string' ? action.url : '',
    method: WEBHOOK_METHODS.includes(method as WebhookMethod) ? method : 'POST',
    headers: stringHeaders(action.headers),
    maxAttempts: isAttemptCount(attempts) ? attempts : DEFAULT_ATTEMPTS
  }
}

function payloadOfEffect (effect: SideEffect): WebhookPayload {
  const body: WebhookPayload = {
    event: `${effect.entity}.transition`,
    hook: STATE_MACHINE_HOOK,
    entity: effect.entity,
    action: 'update',
    record: effect.record,
    old: null,
    changes: { [effect.field]: { old: effect.from, new: effect.to } },
    user: effect.user,
    timestamp: effect.at,
    idempotency_key: randomUUID(),
    transition: { field: effect.field, from: effect.from, to: effect.to }
  }
  return JSON.parse(JSON.stringify(body)) as WebhookPayload
}

/** What queueing the delivery of a `webhook` action needs. */
export interface ActionDelivery {
  /** Where the log row is written: the app's pool, or the transaction it must commit with. */
  sql: Sql | TransactionSql
  webhooks: CompiledWebhooks
  action: Readonly<Record<string, unknown>>
  entity: string
  hook: string
  payload: WebhookPayload
}

/**
 * Writes the `_webhook_logs` row of a `webhook` action (state machine or workflow) and returns
 * its id, for the caller to dispatch once the row is committed. A target that cannot be
 * delivered to (unknown webhook, non-http URL, host not allowed) is logged as a failed
 * delivery instead, and null returned.
 */
export async function queueActionDelivery (d: ActionDelivery): Promise<string | null> {
  const { app, runtime } = d.webhooks
  const target = await targetOf(app, d.action)
  const t: Target = typeof target === 'string' ? { webhookId: null, url: String(d.action.url ?? ''), method: 'POST', headers: {}, maxAttempts: 1 } : target
  const log: NewLog = {
    webhookId: t.webhookId,
    entity: d.entity,
    hook: d.hook,
    url: t.url,
    method: t.method,
    headers: { ...t.headers, 'Idempotency-Key': d.payload.idempotency_key },
    body: d.payload,
    idempotencyKey: d.payload.idempotency_key,
    maxAttempts: t.maxAttempts
  }
  const problem = typeof target === 'string' ? target : urlProblem(t.url, runtime.settings)
  if (problem !== null) {
    await insertFinishedLog(d.sql, log, { ok: false, status: null, body: null, error: problem })
    return null
  }
  return await insertPendingLog(d.sql, log, runtime.settings.recoveryGraceMs)
}

/**
 * Handler of state-machine `webhook` actions (registered with the state-machine module): the
 * committed transition becomes a delivery in `_webhook_logs` handled like any async webhook
 * (retries, logs, manual retry). It runs after COMMIT, so unlike webhook outbox rows a crash
 * between the commit and this insert loses the call. A target that cannot be delivered to
 * (unknown webhook, non-http URL, host not allowed) is logged as failed.
 */
export async function handleWebhookAction (effect: SideEffect): Promise<void> {
  const compiled = webhooksOf(effect.app.registry)
  if (compiled === undefined) return
  const { app, runtime } = compiled
  const payload = payloadOfEffect(effect)
  const id = await queueActionDelivery({ sql: app.sql, webhooks: compiled, action: effect.action, entity: effect.entity, hook: STATE_MACHINE_HOOK, payload })
  if (id !== null) runtime.dispatch(app, [id])
}
