import type { Sql } from '../db/connection.js'
import type { WebhookDef, WebhookRow } from './types.js'

/** Every active webhook of the app, oldest first (what the module compiles). */
export async function loadActiveWebhooks (sql: Sql): Promise<WebhookRow[]> {
  return await sql<WebhookRow[]>`SELECT * FROM _webhooks WHERE active ORDER BY created_at, id`
}

/** All webhooks, or those of one entity. */
export async function listWebhookRows (sql: Sql, entity?: string): Promise<WebhookRow[]> {
  if (entity === undefined) return await sql<WebhookRow[]>`SELECT * FROM _webhooks ORDER BY entity, hook, created_at, id`
  return await sql<WebhookRow[]>`SELECT * FROM _webhooks WHERE entity = ${entity} ORDER BY hook, created_at, id`
}

/** One webhook by id (a well-formed uuid), or null. */
export async function webhookRow (sql: Sql, id: string): Promise<WebhookRow | null> {
  const rows = await sql<WebhookRow[]>`SELECT * FROM _webhooks WHERE id = ${id}`
  return rows[0] ?? null
}

/** Stores a validated webhook (secret included). */
export async function insertWebhookRow (sql: Sql, def: WebhookDef): Promise<WebhookRow> {
  const rows = await sql<WebhookRow[]>`
    INSERT INTO _webhooks (entity, hook, url, method, headers, condition, async, retry, timeout_ms, secret, active)
    VALUES (${def.entity}, ${def.hook}, ${def.url}, ${def.method}, ${sql.json(def.headers)}, ${def.condition}, ${def.async},
      ${sql.json({ ...def.retry })}, ${def.timeout_ms}, ${def.secret}, ${def.active})
    RETURNING *`
  return rows[0] as WebhookRow
}

/** Replaces a webhook's definition; null when the id is unknown. */
export async function updateWebhookRow (sql: Sql, id: string, def: WebhookDef): Promise<WebhookRow | null> {
  const rows = await sql<WebhookRow[]>`
    UPDATE _webhooks SET entity = ${def.entity}, hook = ${def.hook}, url = ${def.url}, method = ${def.method},
      headers = ${sql.json(def.headers)}, condition = ${def.condition}, async = ${def.async}, retry = ${sql.json({ ...def.retry })},
      timeout_ms = ${def.timeout_ms}, secret = ${def.secret}, active = ${def.active}, updated_at = now()
    WHERE id = ${id} RETURNING *`
  return rows[0] ?? null
}

/**
 * Deletes a webhook. Its log rows stay as history (webhook_id becomes null); deliveries still
 * queued are failed first, since nothing could sign them any more.
 */
export async function deleteWebhookRow (sql: Sql, id: string): Promise<boolean> {
  return await sql.begin(async (tx) => {
    await tx`
      UPDATE _webhook_logs SET status = 'failed', error = 'webhook deleted before delivery', next_retry_at = NULL, updated_at = now()
      WHERE webhook_id = ${id} AND status IN ('pending', 'retrying')`
    const rows = await tx`DELETE FROM _webhooks WHERE id = ${id} RETURNING id`
    return rows.length > 0
  })
}
