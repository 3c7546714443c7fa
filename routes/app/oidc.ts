import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import * as client from 'openid-client'
import type { AppContext } from '../../lib/apps/context.js'
import { rateLimited } from '../../lib/errors.js'
import { authorizationUrl, OidcClients, redeemCode } from '../../lib/oidc/client.js'
import { OidcLoginError } from '../../lib/oidc/errors.js'
import { LOGIN_TTL_SECONDS, saveLogin, takeLogin } from '../../lib/oidc/login-state.js'
import { providerForLogin, type ProviderConfig } from '../../lib/oidc/providers.js'
import { callbackSchema, startLoginSchema } from '../../lib/oidc/schemas.js'
import { signInFederated } from '../../lib/oidc/sign-in.js'

type ProviderParams = { Params: { provider: string } }
type CallbackQuery = Record<string, string | undefined>

const COOKIE = 'rocket_oidc_state'

/** The cookie that ties a login's callback to the browser that started it (login CSRF). */
function stateCookie (request: FastifyRequest, app: string, value: string, maxAge: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : ''
  return `${COOKIE}=${value}; Path=/api/${app}/auth/oidc/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`
}

function cookieState (request: FastifyRequest): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name === COOKIE) return value.join('=')
  }
  return null
}

function sameText (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** This server's callback for the provider, as the browser reaches it (Fastify's protocol/host honour TRUST_PROXY). */
function callbackUrlOf (request: FastifyRequest, app: string, provider: string): string {
  return `${request.protocol}://${request.host}/api/${app}/auth/oidc/${provider}/callback`
}

/** `redirect_url` with the given parameters as its fragment. */
function withFragment (redirectUrl: string, params: Record<string, string>): string {
  const url = new URL(redirectUrl)
  url.hash = new URLSearchParams(params).toString()
  return url.href
}

/**
 * Federated login (docs/reference.md, "Federated login"): `GET /auth/oidc/:provider` sends the
 * browser to the provider (authorization code + PKCE + state + nonce; the login's state kept in
 * the app database for ten minutes, and in an HttpOnly cookie of this browser), and
 * `GET /auth/oidc/:provider/callback` completes it: state taken once, code redeemed, ID token
 * verified, user linked or created, and the browser sent to the provider's `redirect_url` with
 * the tokens — or the refusal — in the URL fragment (never sent to a server, nor in Referer).
 */
export default async function oidcLoginRoutes (fastify: FastifyInstance): Promise<void> {
  const { config } = fastify.platform
  const clients = new OidcClients({ allowedHosts: [], allowPrivate: config.webhookAllowPrivate })
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  /** A login start creates a row: as rate-limited per client IP as password login (docs/security.md). */
  async function limitStarts (request: FastifyRequest, reply: FastifyReply, app: string): Promise<void> {
    const key = JSON.stringify(['oidc-start', app, request.ip])
    const wait = await fastify.rateLimits.hit([{ key, max: config.loginMaxPerIp }], config.loginWindow)
    if (wait === 0) return
    void reply.header('retry-after', String(wait))
    throw rateLimited(`Too many login attempts; retry in ${wait} seconds`, [{ rule: 'rate_limit', message: `retry after ${wait} seconds` }])
  }

  function refuse (request: FastifyRequest, reply: FastifyReply, provider: ProviderConfig, err: OidcLoginError): FastifyReply {
    request.log.info({ provider: provider.name, code: err.code, cause: (err.cause as Error | undefined)?.message }, 'federated login refused')
    return reply.redirect(withFragment(provider.redirectUrl, { error: err.code, error_description: err.message }), 302)
  }

  fastify.addHook('onSend', async (_request, reply) => {
    // Every answer carries a one-time value (state, tokens): never cached, never a Referer.
    void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
  })

  fastify.get<ProviderParams>('/:provider', { schema: startLoginSchema }, async (request, reply) => {
    const app = appOf(request)
    await limitStarts(request, reply, app.name)
    const provider = await providerForLogin(app, request.params.provider)
    try {
      const oidc = await clients.configuration(app.name, provider)
      const state = client.randomState()
      const login = {
        providerId: provider.id,
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        callbackUrl: callbackUrlOf(request, app.name, provider.name)
      }
      await saveLogin(app.sql, state, login)
      const target = await authorizationUrl(oidc, { ...login, scopes: provider.scopes, state })
      void reply.header('set-cookie', stateCookie(request, app.name, state, LOGIN_TTL_SECONDS))
      return await reply.redirect(target.href, 302)
    } catch (err) {
      if (err instanceof OidcLoginError) return refuse(request, reply, provider, err)
      throw err
    }
  })

  fastify.get<ProviderParams & { Querystring: CallbackQuery }>('/:provider/callback', { schema: callbackSchema }, async (request, reply) => {
    const app = appOf(request)
    const provider = await providerForLogin(app, request.params.provider)
    void reply.header('set-cookie', stateCookie(request, app.name, '', 0))
    try {
      const query = request.query
      const state = query.state
      const pending = state === undefined ? null : await takeLogin(app.sql, state, provider.id)
      if (query.error !== undefined) {
        const code = /^[a-z_]{1,64}$/.test(query.error) ? query.error : 'unknown'
        throw new OidcLoginError('provider_error', `The provider refused the login (${code})`)
      }
      const cookie = cookieState(request)
      if (state === undefined || pending === null || cookie === null || !sameText(cookie, state)) {
        throw new OidcLoginError('invalid_state', 'This login link is unknown, expired, already used or from another browser: start the login again')
      }
      const oidc = await clients.configuration(app.name, provider)
      const plain = Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'))
      const claims = await redeemCode(oidc, { ...pending, query: plain, state })
      const session = await signInFederated(app.sql, { claims, provider, refreshTtl: config.refreshTokenTtl })
      const accessToken = fastify.signAccessToken({
        sub: session.user.id, email: session.user.email, roles: session.user.roles, app: app.name, scope: 'app', tv: session.user.tokenVersion ?? 0
      }, app.jwtSecret)
      return await reply.redirect(withFragment(provider.redirectUrl, {
        access_token: accessToken,
        refresh_token: session.refreshToken,
        token_type: 'Bearer',
        expires_in: String(config.accessTokenTtl)
      }), 302)
    } catch (err) {
      if (err instanceof OidcLoginError) return refuse(request, reply, provider, err)
      throw err
    }
  })
}
