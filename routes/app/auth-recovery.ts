import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { activeUserByEmail, issueRecoveryToken, resetPassword, unverifiedUser, verifyEmail, type RecoveryKind } from '../../lib/auth/recovery.js'
import { forgotPasswordSchema, requestVerificationSchema, resetPasswordSchema, verifyEmailSchema } from '../../lib/auth/recovery-schemas.js'
import { TOKEN_VERSIONS, tokenVersionsOf } from '../../lib/auth/token-versions.js'
import { forbidden, rateLimited } from '../../lib/errors.js'

/**
 * Password reset and email verification (docs/reference.md): `forgot-password`, `reset-password`,
 * `request-verification` (signed in), `verify-email`. Mails are composed and sent after the
 * answer, so the answer to a known address and to an unknown one cost the same (one rate-limit
 * upsert) and say the same; the work after it is tracked and awaited on close (`fastify.mail`,
 * lib/mail/outbox.ts).
 */
export default async function recoveryRoutes (fastify: FastifyInstance): Promise<void> {
  const { config } = fastify.platform
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  /** Per address and per IP, shared by every process (lib/limits/rate-limiter.ts); 429 with Retry-After beyond. */
  async function limit (request: FastifyRequest, reply: FastifyReply, email: string): Promise<void> {
    const keys = [
      { key: JSON.stringify(['mail-ip', request.ip]), max: config.mailMaxPerIp },
      { key: JSON.stringify(['mail', appOf(request).name, email.trim().toLowerCase()]), max: config.mailMaxPerEmail }
    ]
    const wait = await fastify.rateLimits.hit(keys, config.mailWindow)
    if (wait === 0) return
    void reply.header('retry-after', String(wait))
    throw rateLimited(`Too many mails asked for; retry in ${wait} seconds`, [{ rule: 'rate_limit', message: `retry after ${wait} seconds` }])
  }

  async function mail (app: AppContext, user: { id: string, email: string }, kind: RecoveryKind): Promise<void> {
    const token = await issueRecoveryToken(app, user, kind)
    await fastify.mail.sendLinks(app, kind, [{ to: user.email, token }])
  }

  fastify.post<{ Body: { email: string } }>('/forgot-password', { schema: forgotPasswordSchema }, async (request, reply) => {
    const app = appOf(request)
    await limit(request, reply, request.body.email)
    fastify.mail.later(app, 'reset', async () => {
      const user = await activeUserByEmail(app, request.body.email)
      if (user !== null) await mail(app, user, 'reset')
    })
    return await reply.code(202).send({ data: { accepted: true } })
  })

  fastify.post<{ Body: { token: string, password: string } }>('/reset-password', { schema: resetPasswordSchema }, async (request) => {
    const app = appOf(request)
    const { userId, tokenVersion } = await resetPassword(app, request.body)
    tokenVersionsOf(app).raise(userId, tokenVersion)
    await TOKEN_VERSIONS.announce(fastify.platform, app.name, [userId, tokenVersion])
    return { data: { password_reset: true } }
  })

  fastify.post('/request-verification', { schema: requestVerificationSchema, onRequest: fastify.authenticateApp }, async (request, reply) => {
    const app = appOf(request)
    if (request.user.apiKey === true || request.user.platform === true) throw forbidden('Only a user of this app can verify an email address')
    const user = await unverifiedUser(app, request.user.id)
    await limit(request, reply, user.email)
    fastify.mail.later(app, 'verify', async () => { await mail(app, user, 'verify') })
    return await reply.code(202).send({ data: { accepted: true } })
  })

  fastify.post<{ Body: { token: string } }>('/verify-email', { schema: verifyEmailSchema }, async (request) => {
    const { email } = await verifyEmail(appOf(request), request.body.token)
    return { data: { email, email_verified: true } }
  })
}
