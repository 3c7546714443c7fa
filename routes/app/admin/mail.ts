import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { deleteTemplateSchema, getSettingsSchema, getTemplateSchema, listTemplatesSchema, putSettingsSchema, putTemplateSchema } from '../../../lib/mail/schemas.js'
import { linkBase, saveAppUrl, storedAppUrl } from '../../../lib/mail/settings.js'
import { getTemplate, listTemplates, resetTemplate, saveTemplate, type MailKind, type TemplateInput } from '../../../lib/mail/templates.js'

type KindParams = { Params: { kind: MailKind } }

/** `/_admin/mail-templates[/:kind]` and `/_admin/mail-settings` (docs/reference.md, "Mail templates"). */
export default async function mailAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const { config } = fastify.platform
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  fastify.get('/mail-templates', { schema: listTemplatesSchema }, async (request) => ({ data: await listTemplates(appOf(request).sql) }))
  fastify.get<KindParams>('/mail-templates/:kind', { schema: getTemplateSchema }, async (request) =>
    ({ data: await getTemplate(appOf(request).sql, request.params.kind) }))
  fastify.put<KindParams & { Body: TemplateInput }>('/mail-templates/:kind', { schema: putTemplateSchema }, async (request) =>
    ({ data: await saveTemplate(appOf(request).sql, request.params.kind, request.body) }))
  fastify.delete<KindParams>('/mail-templates/:kind', { schema: deleteTemplateSchema }, async (request) =>
    ({ data: await resetTemplate(appOf(request).sql, request.params.kind) }))

  const settings = (appUrl: string | null): { data: { app_url: string | null, effective_app_url: string, transport: 'smtp' | 'log' } } =>
    ({ data: { app_url: appUrl, effective_app_url: linkBase(appUrl, config), transport: config.smtpUrl === null ? 'log' : 'smtp' } })
  fastify.get('/mail-settings', { schema: getSettingsSchema }, async (request) => settings(await storedAppUrl(appOf(request).sql)))
  fastify.put<{ Body: { app_url: string | null } }>('/mail-settings', { schema: putSettingsSchema }, async (request) =>
    settings(await saveAppUrl(appOf(request).sql, request.body.app_url)))
}
