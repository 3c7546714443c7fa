import * as client from 'openid-client'
import { dispatcherFor, privateHostProblem, type UrlPolicy } from '../webhooks/ssrf.js'
import { OidcLoginError } from './errors.js'
import type { ProviderConfig } from './providers.js'

/** Seconds any call to a provider (discovery, keys, token exchange) may take. */
const TIMEOUT_SECONDS = 10
/** How long a discovered configuration (endpoints, cached signing keys) is reused. */
const CACHE_MS = 10 * 60 * 1000
const CACHE_MAX = 200

/**
 * Calls to providers follow the webhooks' private-address rule (docs/security.md): no loopback,
 * private or link-local target unless WEBHOOK_ALLOW_PRIVATE, names resolved through the guarded
 * lookup (no DNS rebinding); plain http only where private targets are allowed (development).
 */
function guardedFetch (policy: UrlPolicy): client.CustomFetch {
  const rule: UrlPolicy = { allowedHosts: [], allowPrivate: policy.allowPrivate }
  return async (url, options) => {
    const target = new URL(url)
    const problem = privateHostProblem(target.hostname, rule)
    // The person signing in sees the refusal, the log (and the admin) the reason.
    if (problem !== null) throw new OidcLoginError('provider_unavailable', 'The provider\'s address is not allowed on this server', { cause: new Error(problem) })
    return await fetch(url, { ...options, redirect: 'manual', dispatcher: dispatcherFor(rule) ?? undefined } as RequestInit)
  }
}

/** Our own refusal (a call the private-address rule stopped), wherever openid-client wrapped it. */
function refusalIn (err: unknown): OidcLoginError | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof OidcLoginError) return e
  }
  return null
}

/**
 * Discovered provider configurations, per server process: a login calls the provider's
 * discovery document once per provider version and ten minutes, not twice per login. Keyed by
 * the provider row's id and update time, so an edited provider is discovered afresh.
 */
export class OidcClients {
  private readonly cache = new Map<string, { config: client.Configuration, until: number }>()

  constructor (private readonly policy: UrlPolicy) {}

  async configuration (app: string, provider: ProviderConfig): Promise<client.Configuration> {
    const key = `${app}\n${provider.id}\n${provider.updatedAt.getTime()}`
    const hit = this.cache.get(key)
    if (hit !== undefined && hit.until > Date.now()) return hit.config
    let config: client.Configuration
    try {
      config = await client.discovery(
        new URL(provider.issuer),
        provider.clientId,
        provider.clientSecret === null ? undefined : { client_secret: provider.clientSecret },
        provider.clientSecret === null ? client.None() : client.ClientSecretBasic(provider.clientSecret),
        {
          [client.customFetch]: guardedFetch(this.policy),
          timeout: TIMEOUT_SECONDS,
          ...(this.policy.allowPrivate ? { execute: [client.allowInsecureRequests] } : {})
        })
    } catch (err) {
      throw refusalIn(err) ?? new OidcLoginError('provider_unavailable', 'The provider\'s configuration could not be discovered', { cause: err })
    }
    if (this.cache.size >= CACHE_MAX) this.cache.clear()
    this.cache.set(key, { config, until: Date.now() + CACHE_MS })
    return config
  }
}

/** The authorization request: code flow, PKCE S256, state and nonce. */
export async function authorizationUrl (config: client.Configuration, req: { callbackUrl: string, scopes: string[], state: string, nonce: string, codeVerifier: string }): Promise<URL> {
  return client.buildAuthorizationUrl(config, {
    redirect_uri: req.callbackUrl,
    response_type: 'code',
    scope: req.scopes.join(' '),
    state: req.state,
    nonce: req.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(req.codeVerifier),
    code_challenge_method: 'S256'
  })
}

/** What the callback learns about the person from a verified ID token. */
export interface IdentityClaims {
  sub: string
  email: string | null
  emailVerified: boolean
}

/**
 * Exchanges the code (with the PKCE verifier) and verifies the ID token: signature against the
 * issuer's published keys, issuer, audience, expiry and nonce (openid-client). A refused code
 * (used before, expired, another verifier) or ID token is `login_failed`.
 */
export async function redeemCode (config: client.Configuration, req: { callbackUrl: string, query: Record<string, string>, state: string, nonce: string, codeVerifier: string }): Promise<IdentityClaims> {
  const current = new URL(req.callbackUrl)
  for (const [k, v] of Object.entries(req.query)) current.searchParams.set(k, v)
  let claims: client.IDToken | undefined
  try {
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: req.codeVerifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
      idTokenExpected: true
    })
    claims = tokens.claims()
  } catch (err) {
    throw refusalIn(err) ?? new OidcLoginError('login_failed', 'The provider did not confirm the login (code or ID token refused)', { cause: err })
  }
  if (claims === undefined) throw new OidcLoginError('login_failed', 'The provider returned no ID token')
  const email = typeof claims.email === 'string' ? claims.email : null
  return { sub: claims.sub, email, emailVerified: claims.email_verified === true }
}
