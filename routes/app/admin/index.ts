import type { FastifyInstance } from 'fastify'
import apiKeyAdminRoutes from './api-keys.js'
import auditAdminRoutes from './audit.js'
import authProviderAdminRoutes from './auth-providers.js'
import entityAdminRoutes from './entities.js'
import entityIndexRoutes from './entity-indexes.js'
import eventAdminRoutes from './events.js'
import expressionAdminRoutes from './expressions.js'
import inviteAdminRoutes from './invites.js'
import mailAdminRoutes from './mail.js'
import permissionAdminRoutes from './permissions.js'
import relationAdminRoutes from './relations.js'
import ruleAdminRoutes from './rules.js'
import schemaIoRoutes from './schema-io.js'
import stateMachineAdminRoutes from './state-machines.js'
import uiConfigAdminRoutes from './ui-configs.js'
import userAdminRoutes from './users.js'
import webhookLogRoutes from './webhook-logs.js'
import webhookAdminRoutes from './webhooks.js'
import workflowAdminRoutes from './workflows.js'

/** `/api/:app/_admin/*`: authenticated (by the parent scope) and admin-only. */
export default async function adminRoutes (fastify: FastifyInstance): Promise<void> {
  fastify.addHook('onRequest', fastify.requireAdmin)
  await fastify.register(entityAdminRoutes, { prefix: '/entities' })
  await fastify.register(entityIndexRoutes, { prefix: '/entities' })
  await fastify.register(relationAdminRoutes, { prefix: '/relations' })
  await fastify.register(ruleAdminRoutes, { prefix: '/rules' })
  await fastify.register(stateMachineAdminRoutes, { prefix: '/state-machines' })
  await fastify.register(permissionAdminRoutes, { prefix: '/permissions' })
  await fastify.register(userAdminRoutes, { prefix: '/users' })
  await fastify.register(inviteAdminRoutes, { prefix: '/invites' })
  await fastify.register(authProviderAdminRoutes, { prefix: '/auth-providers' })
  await fastify.register(apiKeyAdminRoutes, { prefix: '/api-keys' })
  await fastify.register(mailAdminRoutes)
  await fastify.register(uiConfigAdminRoutes, { prefix: '/ui-configs' })
  await fastify.register(auditAdminRoutes, { prefix: '/audit' })
  await fastify.register(eventAdminRoutes, { prefix: '/events' })
  await fastify.register(webhookAdminRoutes, { prefix: '/webhooks' })
  await fastify.register(workflowAdminRoutes, { prefix: '/workflows' })
  await fastify.register(webhookLogRoutes, { prefix: '/webhook-logs' })
  await fastify.register(expressionAdminRoutes, { prefix: '/expressions' })
  await fastify.register(schemaIoRoutes)
}
