import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { acceptInvite } from '../../lib/auth/accept-invite.js'
import { APP_SESSION_ROUTES, type Credentials, type RefreshBody } from '../../lib/auth/session-schemas.js'
import { login, logout, refresh, type Session, type UserDirectory } from '../../lib/auth/sessions.js'
import { limitedLogin } from '../login-guard.js'
import { noBodyAsEmpty } from '../optional-body.js'
import { tokenResponse } from '../token-response.js'
import recoveryRoutes from './auth-recovery.js'

/** Per-app users: login (rate-limited) / refresh / logout / accept-invite (no token required). */
export default async function appAuthRoutes (fastify: FastifyInstance): Promise<void> {
  const { config } = fastify.platform
  const dir = (app: AppContext): UserDirectory => ({ sql: app.sql, users: '_users', refresh: '_refresh_tokens', refreshTtl: config.refreshTokenTtl })
  const respond = (app: AppContext, session: Session): ReturnType<typeof tokenResponse> => tokenResponse(session,
    fastify.signAccessToken({ sub: session.user.id, email: session.user.email, roles: session.user.roles, app: app.name, scope: 'app', tv: session.user.tokenVersion ?? 0 }, app.jwtSecret),
    config.accessTokenTtl)
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  const schemas = APP_SESSION_ROUTES
  fastify.post<{ Body: Credentials }>('/login', { schema: schemas.login }, async (request, reply) => {
    const app = appOf(request)
    return respond(app, await limitedLogin(fastify, { request, reply, scope: app.name }, async () => await login(dir(app), request.body)))
  })
  fastify.post<{ Body: RefreshBody }>('/refresh', { schema: schemas.refresh }, async (request) => respond(appOf(request), await refresh(dir(appOf(request)), request.body)))
  fastify.post<{ Body: RefreshBody }>('/logout', { schema: schemas.logout }, async (request) => {
    await logout(dir(appOf(request)), request.body)
    return { data: { logged_out: true } }
  })
  // Creates the invited user and signs them in: the same envelope (and 200) as login.
  fastify.post<{ Body: { token: string, password: string } }>('/accept-invite', { schema: schemas.acceptInvite, preValidation: noBodyAsEmpty }, async (request) => {
    const app = appOf(request)
    return respond(app, await acceptInvite(app.sql, { body: request.body, refreshTtl: config.refreshTokenTtl }))
  })
  await fastify.register(recoveryRoutes)
}
