import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { login, logout, refresh, type Session, type UserDirectory } from '../../lib/auth/sessions.js'
import { tokenResponse } from '../token-response.js'

/** Per-app users: login / refresh / logout (no token required). */
export default async function appAuthRoutes (fastify: FastifyInstance): Promise<void> {
  const { config } = fastify.platform
  const dir = (app: AppContext): UserDirectory => ({ sql: app.sql, users: '_users', refresh: '_refresh_tokens', refreshTtl: config.refreshTokenTtl })
  const respond = (app: AppContext, session: Session): ReturnType<typeof tokenResponse> => tokenResponse(session,
    fastify.signAccessToken({ sub: session.user.id, email: session.user.email, roles: session.user.roles, app: app.name, scope: 'app' }, app.jwtSecret),
    config.accessTokenTtl)
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  fastify.post('/login', async (request) => respond(appOf(request), await login(dir(appOf(request)), request.body)))
  fastify.post('/refresh', async (request) => respond(appOf(request), await refresh(dir(appOf(request)), request.body)))
  fastify.post('/logout', async (request) => {
    await logout(dir(appOf(request)), request.body)
    return { data: { logged_out: true } }
  })
}
