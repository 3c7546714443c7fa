import type { FastifyInstance } from 'fastify'
import { PLATFORM_SESSION_ROUTES as schemas, type Credentials, type RefreshBody } from '../../lib/auth/session-schemas.js'
import { login, logout, refresh, type Session, type UserDirectory } from '../../lib/auth/sessions.js'
import { limitedLogin } from '../login-guard.js'
import { tokenResponse } from '../token-response.js'

/** Platform users: login (rate-limited) / refresh / logout against the management database. */
export default async function platformAuthRoutes (fastify: FastifyInstance): Promise<void> {
  const { platform } = fastify
  const dir: UserDirectory = { sql: platform.sql, users: '_platform_users', refresh: '_platform_refresh_tokens', refreshTtl: platform.config.refreshTokenTtl }
  const respond = (session: Session): ReturnType<typeof tokenResponse> => tokenResponse(session,
    fastify.signAccessToken({ sub: session.user.id, email: session.user.email, roles: session.user.roles, scope: 'platform' }, platform.jwtSecret),
    platform.config.accessTokenTtl)

  fastify.post<{ Body: Credentials }>('/login', { schema: schemas.login }, async (request, reply) =>
    respond(await limitedLogin(fastify, { request, reply, scope: '_platform' }, async () => await login(dir, request.body))))
  fastify.post<{ Body: RefreshBody }>('/refresh', { schema: schemas.refresh }, async (request) => respond(await refresh(dir, request.body)))
  fastify.post<{ Body: RefreshBody }>('/logout', { schema: schemas.logout }, async (request) => {
    await logout(dir, request.body)
    return { data: { logged_out: true } }
  })
}
