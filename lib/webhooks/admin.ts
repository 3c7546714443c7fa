import type { AppContext } from '../apps/context.js'
import { notFoundById, requireById, requireDeleted } from '../db/by-id.js'
import { isObject, Problems } from '../rules/problems.js'
import { compileWebhook, webhooksOf } from './compile.js'
import { PUBLIC_ONLY } from './ssrf.js'
import { deleteWebhookRow, insertWebhookRow, listWebhookRows, updateWebhookRow, webhookRow } from './store.js'
import type { WebhookDef, WebhookRow, WebhookView } from './types.js'
import { parseWebhookBody } from './validate.js'

/** The secret is write-only: answers say whether there is one. */
export function webhookView (row: WebhookRow): WebhookView {
  const { secret, ...rest } = row
  return { ...rest, has_secret: secret !== null && secret !== '' }
}

/** Validates a body against the app's metadata and host allow-list: 422 VALIDATION_FAILED listing every problem. */
function checked (app: AppContext, body: unknown): WebhookDef {
  const problems = new Problems()
  const def = parseWebhookBody(body, problems, webhooksOf(app.registry)?.runtime.settings ?? PUBLIC_ONLY)
  if (def !== null) compileWebhook({ ...def, id: '' }, app.registry, problems)
  problems.throwIfAny('webhook')
  return def as WebhookDef
}

async function stored (app: AppContext, id: string): Promise<WebhookRow> {
  return await requireById('Webhook', id, async (id) => await webhookRow(app.sql, id))
}

/** Every webhook (or those of one entity), secrets hidden. */
export async function listWebhooks (app: AppContext, entity?: string): Promise<WebhookView[]> {
  return (await listWebhookRows(app.sql, entity)).map(webhookView)
}

/** One webhook by id, secret hidden; 404 NOT_FOUND when unknown or not a uuid. */
export async function getWebhook (app: AppContext, id: string): Promise<WebhookView> {
  return webhookView(await stored(app, id))
}

/** Saves a new webhook and recompiles the app's registry, so the next write calls it. */
export async function createWebhook (app: AppContext, body: unknown): Promise<WebhookView> {
  const row = await insertWebhookRow(app.sql, checked(app, body))
  await app.reload()
  return webhookView(row)
}

/**
 * Updates a webhook: the body is merged over the stored one (so `{active: false}` works) and
 * revalidated whole. The secret is kept unless the body sets it (`null` removes it).
 */
export async function updateWebhook (app: AppContext, id: string, body: unknown): Promise<WebhookView> {
  const c = await stored(app, id)
  const current: Record<string, unknown> = {
    entity: c.entity,
    hook: c.hook,
    url: c.url,
    method: c.method,
    headers: c.headers,
    condition: c.condition,
    async: c.async,
    retry: c.retry,
    timeout_ms: c.timeout_ms,
    secret: c.secret,
    active: c.active
  }
  // A hook change to before_* without an explicit `async` means the sync default, not the stored async.
  if (isObject(body) && typeof body.hook === 'string' && body.async === undefined) delete current.async
  const merged = isObject(body) ? { ...current, ...body } : body
  const row = await updateWebhookRow(app.sql, id, checked(app, merged))
  if (row === null) throw notFoundById('Webhook', id)
  await app.reload()
  return webhookView(row)
}

/** Deletes a webhook (its queued deliveries fail, its logs stay) and recompiles the registry. */
export async function deleteWebhook (app: AppContext, id: string): Promise<void> {
  await requireDeleted('Webhook', id, async (id) => await deleteWebhookRow(app.sql, id))
  await app.reload()
}
