import { createWebhook, deleteWebhook, getWebhook, listWebhooks, updateWebhook } from '../../../lib/webhooks/admin.js'
import { WEBHOOK_BODIES, WEBHOOK_ITEM } from '../../../lib/webhooks/schemas.js'
import { metadataCrudRoutes } from './metadata-crud.js'

/** Webhooks (`/_admin/webhooks`, `?entity`); secrets are write-only. */
export default metadataCrudRoutes({
  list: async (app, { entity }) => await listWebhooks(app, entity),
  get: getWebhook,
  create: createWebhook,
  update: updateWebhook,
  remove: deleteWebhook
}, 'id', { one: 'webhook', kind: 'webhooks', item: WEBHOOK_ITEM, ...WEBHOOK_BODIES })
