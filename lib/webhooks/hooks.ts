import type { TransactionSql } from '../db/connection.js'
import { validationFailed } from '../errors.js'
import { ExpressionBudgetError, evaluateBoolean } from '../expressions/index.js'
import { detailAt } from '../rules/scope.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import { webhooksFor, webhooksOf, WEBHOOKS } from './compile.js'
import { sendWebhook, type DeliveryResult } from './http.js'
import { insertFinishedLog, insertPendingLog, type NewLog } from './outbox.js'
import { conditionScope, eventOf, payloadOf, type RecordEvent } from './payload.js'
import type { CompiledWebhook, WebhookHook, WebhookPayload } from './types.js'

/** A webhook named in errors: its id and origin (the path or query of a URL may hold a token). */
export function webhookLabel (webhook: Pick<CompiledWebhook, 'id' | 'url'>): string {
  let origin = ''
  try { origin = new URL(webhook.url).origin } catch {}
  return `Webhook ${webhook.id}${origin === '' ? '' : ` (${origin})`}`
}

/** Whether the webhook's condition holds; a condition over its step budget is reported as `budget`. */
function conditionHolds (webhook: CompiledWebhook, ev: RecordEvent): boolean | 'budget' {
  if (webhook.condition === null) return true
  try {
    return evaluateBoolean(webhook.condition, conditionScope(ev))
  } catch (err) {
    if (err instanceof ExpressionBudgetError) return 'budget'
    throw err
  }
}

function logOf (webhook: CompiledWebhook, payload: WebhookPayload): NewLog {
  return {
    webhookId: webhook.id,
    entity: webhook.entity,
    hook: webhook.hook,
    url: webhook.url,
    method: webhook.method,
    headers: { ...webhook.headers, 'Idempotency-Key': payload.idempotency_key },
    body: payload,
    idempotencyKey: payload.idempotency_key,
    maxAttempts: webhook.retry.max_attempts
  }
}

function refused (node: WriteNode, webhook: CompiledWebhook, reason: string): Error {
  const message = `${webhookLabel(webhook)} ${reason}`
  return validationFailed(`${message}: the ${node.action} was rolled back`, [detailAt(node, { rule: 'webhook', message })])
}

/**
 * Calls a sync webhook inside the unit's transaction. Anything but a 2xx answer in time throws
 * 422 VALIDATION_FAILED naming the webhook, which rolls the whole unit back. A successful call
 * is logged as `delivered` in the same transaction (so it is recorded only if the write commits).
 */
async function callSync (node: WriteNode, unit: WriteUnit, webhook: CompiledWebhook, ev: RecordEvent): Promise<void> {
  const holds = conditionHolds(webhook, ev)
  if (holds === 'budget') throw refused(node, webhook, 'has a condition that could not be evaluated (step budget exceeded)')
  if (!holds) return
  const compiled = webhooksOf(unit.registry)
  if (compiled === undefined) return
  const payload = payloadOf(ev)
  const log = logOf(webhook, payload)
  const result: DeliveryResult = await sendWebhook({
    url: webhook.url,
    method: webhook.method,
    headers: log.headers,
    body: payload,
    secret: webhook.secret,
    timeoutMs: webhook.timeoutMs,
    policy: compiled.runtime.settings
  })
  if (!result.ok) throw refused(node, webhook, result.error ?? 'failed')
  if (unit.tx !== null) await insertFinishedLog(unit.tx, log, result)
}

/** The hook a node fires before its write. */
function beforeHook (node: WriteNode): WebhookHook {
  return node.action === 'delete' ? 'before_delete' : 'before_write'
}

/** The module's `needsOld`: before_write webhooks send the current row. */
export function beforeWebhooksNeedOld (node: WriteNode, unit: WriteUnit): boolean {
  return webhooksFor(unit.registry, node.entity.name, beforeHook(node)).length > 0
}

/** The module's `beforeWrite`: before_write / before_delete webhooks (always sync), after validation. */
export function runBeforeWebhooks (node: WriteNode, unit: WriteUnit): Promise<void> | undefined {
  const hook = beforeHook(node)
  const list = webhooksFor(unit.registry, node.entity.name, hook)
  if (list.length === 0) return undefined
  return callEach(node, unit, { list, ev: eventOf(node, unit, hook) })
}

async function callEach (node: WriteNode, unit: WriteUnit, what: { list: readonly CompiledWebhook[], ev: RecordEvent }): Promise<void> {
  for (const webhook of what.list) await callSync(node, unit, webhook, what.ev)
}

/** Ids of the outbox rows a unit wrote, for its after-commit dispatch. */
function outboxOf (unit: WriteUnit): string[] {
  let ids = unit.state.get(WEBHOOKS) as string[] | undefined
  if (ids === undefined) {
    ids = []
    unit.state.set(WEBHOOKS, ids)
  }
  return ids
}

/**
 * Queues one async delivery in the outbox, inside the data change's transaction. A condition
 * over its step budget does not block the write: the delivery is logged as failed instead.
 */
async function enqueue (tx: TransactionSql, unit: WriteUnit, webhook: CompiledWebhook, ev: RecordEvent): Promise<void> {
  const holds = conditionHolds(webhook, ev)
  if (holds === false) return
  const payload = payloadOf(ev)
  const log = logOf(webhook, payload)
  if (holds === 'budget') {
    const error = 'condition could not be evaluated (step budget exceeded)'
    await insertFinishedLog(tx, log, { ok: false, status: null, body: null, error })
    return
  }
  const grace = webhooksOf(unit.registry)?.runtime.settings.recoveryGraceMs ?? 0
  outboxOf(unit).push(await insertPendingLog(tx, log, grace))
}

function afterHook (node: WriteNode): WebhookHook {
  return node.action === 'delete' ? 'after_delete' : 'after_write'
}

/** The module's `sideEffects`: records whose write calls a webhook before the commit (before_*, synchronous after_*). */
export function callsWebhooksSync (node: WriteNode, unit: WriteUnit): boolean {
  return webhooksFor(unit.registry, node.entity.name, beforeHook(node)).length > 0 ||
    webhooksFor(unit.registry, node.entity.name, afterHook(node)).some((w) => !w.async)
}

/** The module's `needsAfterRow`: records of entities with after_* webhooks (others keep the transaction-free path). */
export function afterWebhooksDue (node: WriteNode, unit: WriteUnit): boolean {
  return webhooksFor(unit.registry, node.entity.name, afterHook(node)).length > 0
}

/**
 * The module's `afterRow`: after_write / after_delete webhooks of the record just written.
 * Async ones get their outbox row in this transaction; sync ones (`async: false`) are called
 * now and veto the write like before_* hooks, but see the row as written (its generated id).
 */
export async function runAfterWebhooks (node: WriteNode, tx: TransactionSql, unit: WriteUnit): Promise<void> {
  const list = webhooksFor(unit.registry, node.entity.name, afterHook(node))
  if (list.length === 0) return
  const ev = eventOf(node, unit, afterHook(node))
  for (const webhook of list) {
    if (webhook.async) await enqueue(tx, unit, webhook, ev)
    else await callSync(node, unit, webhook, ev)
  }
}

/** The module's `afterCommit`: hands the unit's committed outbox rows to the background dispatcher. */
export function dispatchCommitted (_nodes: WriteNode[], unit: WriteUnit): void {
  const ids = unit.state.get(WEBHOOKS) as string[] | undefined
  const compiled = webhooksOf(unit.registry)
  if (ids === undefined || ids.length === 0 || compiled === undefined) return
  compiled.runtime.dispatch(compiled.app, ids)
}
