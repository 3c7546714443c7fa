import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import { isAdmin, type UserContext } from '../lib/apps/context.js'
import { API_KEY_REVOCATIONS, authenticateApiKey, flushApiKeyUses, presentedApiKey } from '../lib/auth/api-key-cache.js'
import { BLOCKLIST, blocklistOf } from '../lib/auth/blocklist.js'
import { LoginLimiter } from '../lib/auth/rate-limit.js'
import { RateLimiter } from '../lib/limits/rate-limiter.js'
import { TOKEN_VERSIONS, tokenVersionsOf } from '../lib/auth/token-versions.js'
import { forbidden, unauthorized } from '../lib/errors.js'

/** Claims of an access token. `scope` says which secret signed it. */
export interface AccessClaims {
  sub: string
  email: string
  roles: string[]
  /** App name for app tokens; absent on platform tokens. */
  app?: string
  scope: 'app' | 'platform'
  type: 'access'
  /** App tokens: the user's token version when issued; older than the current one = refused (docs/security.md). */
  tv?: number
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims
    user: UserContext
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Signs an access token for an app user (app secret) or a platform user (platform secret). */
    signAccessToken: (claims: Omit<AccessClaims, 'type'>, secret: string) => string
    /** Login attempts per IP and per account (platform and app login share it). */
    loginLimiter: LoginLimiter
    /** Shared fixed-window counters (login, `POST /_events`, uploads): docs/security.md. */
    rateLimits: RateLimiter
    /** Accepts an app token of `request.appCtx` (of a user neither deactivated nor deleted) or any platform token (as admin). */
    authenticateApp: onRequestHookHandler
    /** Accepts platform tokens only. */
    authenticatePlatform: (request: FastifyRequest) => Promise<void>
    requireAdmin: (request: FastifyRequest) => Promise<void>
  }
}

interface VerifiedToken {
  user: UserContext
  claims: Partial<AccessClaims>
  secret: string
  /** `exp` in ms: the token is refused from then on, as the verifier would. */
  expiresAt: number
}

const MAX_VERIFIED_TOKENS = 10_000

/**
 * JWT authentication (HS256). One @fastify/jwt registration whose secret is chosen per token:
 * platform tokens verify with the platform secret, app tokens with their app's own secret, so
 * a token of app A can never verify in app B. Verifiers are cached per secret by @fastify/jwt.
 */
async function authPlugin (fastify: FastifyInstance): Promise<void> {
  const platformSecret = fastify.platform.jwtSecret
  await fastify.register(jwt, {
    // Must return a promise (or call back): @fastify/jwt ignores plain return values.
    secret: async (request: FastifyRequest, token: unknown) => {
      const secret = secretFor(request, (token as { payload?: Partial<AccessClaims> }).payload ?? {})
      if (secret === null) throw unauthorized('Token is not valid for this app')
      return secret
    },
    sign: { algorithm: 'HS256' },
    verify: { algorithms: ['HS256'] },
    decode: { complete: true },
    formatUser: (claims) => ({
      id: claims.sub,
      email: claims.email,
      roles: Array.isArray(claims.roles) ? claims.roles : [],
      ...(claims.scope === 'platform' ? { platform: true } : {})
    })
  })

  const ttl = fastify.platform.config.accessTokenTtl
  fastify.decorate('signAccessToken', (claims: Omit<AccessClaims, 'type'>, secret: string) =>
    fastify.jwt.sign({ ...claims, type: 'access' }, { key: secret, expiresIn: ttl }))

  /**
   * Authorization headers verified recently, with the secret that verified them. A client
   * sends the same token on every request until it expires: a repeat skips decoding and the
   * HMAC (most of the per-request auth cost). A hit counts only while the token is unexpired
   * and the secret the request would verify it with is still the one that did.
   */
  const verified = new Map<string, VerifiedToken>()

  /** The secret a token with these claims verifies with in this request: the platform's, or its own app's (null: none). */
  function secretFor (request: FastifyRequest, claims: Partial<AccessClaims>): string | null {
    if (claims.scope === 'platform') return platformSecret
    const app = request.appCtx
    return app !== null && claims.app === app.name ? app.jwtSecret : null
  }

  /** Sets `request.user` from the cache when the header was verified before; null when it must be verified. */
  function fromCache (request: FastifyRequest, header: string): Partial<AccessClaims> | null {
    const hit = verified.get(header)
    if (hit === undefined || hit.expiresAt <= Date.now() || secretFor(request, hit.claims) !== hit.secret) return null
    request.user = { ...hit.user, roles: [...hit.user.roles] }
    return hit.claims
  }

  /** Verifies the bearer token (or finds it in the cache) and returns its claims. */
  async function verify (request: FastifyRequest): Promise<Partial<AccessClaims>> {
    const header = request.headers.authorization
    if (header === undefined) throw unauthorized('Missing bearer token')
    const cached = fromCache(request, header)
    if (cached !== null) return cached
    try {
      await request.jwtVerify()
    } catch (err) {
      throw unauthorized((err as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED' ? 'Token expired' : 'Invalid token')
    }
    return remember(request, header)
  }

  function remember (request: FastifyRequest, header: string): Partial<AccessClaims> {
    const claims = JSON.parse(Buffer.from(header.split('.')[1] ?? '', 'base64url').toString()) as Partial<AccessClaims> & { exp?: unknown, nbf?: unknown }
    const secret = secretFor(request, claims)
    if (typeof claims.exp !== 'number' || claims.nbf !== undefined || secret === null) return claims
    // Only verified tokens get here, so the bound is about long uptimes, not about attackers.
    if (verified.size >= MAX_VERIFIED_TOKENS) verified.clear()
    verified.set(header, { user: { ...request.user, roles: [...request.user.roles] }, claims, secret, expiresAt: claims.exp * 1000 })
    return claims
  }

  const { config } = fastify.platform
  // Rate limits live in the management database, so every process counts against the same numbers.
  const rateLimits = new RateLimiter(fastify.platform.sql)
  fastify.decorate('rateLimits', rateLimits)
  fastify.decorate('loginLimiter', new LoginLimiter(rateLimits, { perIp: config.loginMaxPerIp, perEmail: config.loginMaxPerEmail, windowSeconds: config.loginWindow }))

  /**
   * In-memory lookups (no query): tokens of deactivated or deleted users, and tokens issued
   * before the user's roles, password, email or active flag changed, stop working at once.
   */
  function refusal (request: FastifyRequest, claims: Partial<AccessClaims>): Error | undefined {
    const app = request.appCtx
    if (request.user.platform === true || request.user.apiKey === true || app === null) return undefined
    if (blocklistOf(app).has(request.user.id)) return unauthorized('User is disabled')
    const version = typeof claims.tv === 'number' ? claims.tv : 0
    return version < tokenVersionsOf(app).current(request.user.id) ? unauthorized('Token revoked: sign in again') : undefined
  }

  // Callback style: every app request runs it, and a token seen before (the usual case) is
  // accepted synchronously, without a promise.
  fastify.decorate('authenticateApp', function authenticateApp (request: FastifyRequest, _reply, done) {
    const header = request.headers.authorization
    const key = presentedApiKey(header, request.headers['x-api-key'])
    if (key !== null) {
      withApiKey(request, key, done)
      return
    }
    const cached = header === undefined ? null : fromCache(request, header)
    if (cached !== null) {
      done(refusal(request, cached))
      return
    }
    verify(request).then((claims) => { done(refusal(request, claims)) }, done)
  } satisfies onRequestHookHandler)
  /** API keys (docs/ARCHITECTURE.md, "API keys"): app requests only; a cached key is accepted synchronously. */
  function withApiKey (request: FastifyRequest, key: string, done: (err?: Error) => void): void {
    const app = request.appCtx
    if (app === null) { done(unauthorized('API keys are valid for app requests only')); return }
    let user
    try {
      user = authenticateApiKey(app, key)
    } catch (err) {
      done(err as Error)
      return
    }
    if (!(user instanceof Promise)) {
      request.user = user
      done()
      return
    }
    user.then((u) => { request.user = u; done() }, done)
  }

  fastify.decorate('authenticatePlatform', async (request: FastifyRequest) => {
    await verify(request)
    if (request.user.platform !== true) throw unauthorized('A platform token is required')
  })
  // Other processes' changes to users and keys (docs/ARCHITECTURE.md, "Across processes").
  const { apps } = fastify.platform
  const stopTokens = await TOKEN_VERSIONS.listen(fastify.platform, apps, fastify.log)
  const stopBlocklist = await BLOCKLIST.listen(fastify.platform, apps, fastify.log)
  fastify.addHook('onClose', async () => { await Promise.all([stopTokens(), stopBlocklist()]) })
  const stopKeyListening = await API_KEY_REVOCATIONS.listen(fastify.platform, apps, fastify.log)
  // `last_used_at` is written in batches; the last batch before the pools close.
  const usageTimer = setInterval(() => { void flushApiKeyUses(fastify.log) }, config.apiKeyUsageFlushMs)
  usageTimer.unref()
  fastify.addHook('preClose', async () => {
    clearInterval(usageTimer)
    await flushApiKeyUses(fastify.log)
    await stopKeyListening()
  })
  fastify.decorate('requireAdmin', async (request: FastifyRequest) => {
    if (!isAdmin(request.user)) throw forbidden('Admin role required')
  })
}

export default fp(authPlugin, { name: 'auth', fastify: '5.x', dependencies: ['platform', 'app-resolver'] })
