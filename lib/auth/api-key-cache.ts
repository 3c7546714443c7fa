import type { FastifyBaseLogger } from 'fastify'
import type { AppContext, UserContext } from '../apps/context.js'
import { unauthorized } from '../errors.js'
import { AppChannel } from './app-channel.js'
import { API_KEY_RE, findApiKeyByHash, hashApiKey, recordApiKeyUse, type ApiKeyPrincipal } from './api-keys.js'

/** A known key is re-read after this long even without a notification (a lost NOTIFY cannot keep a revoked key alive). */
const MAX_AGE_MS = 60_000
/** An unknown key is remembered this long, so a client retrying a wrong key does not cost a query per request. */
const UNKNOWN_AGE_MS = 5_000
const MAX_ENTRIES = 10_000

interface Entry {
  principal: ApiKeyPrincipal | null
  loadedAt: number
}

/**
 * API keys one process has seen for one app, by the key's SHA-256 (docs/ARCHITECTURE.md, "API
 * keys"): a repeat request is authenticated with one hash and one Map lookup, no query. The
 * expiry is checked on every use from the cached `expires_at`; a revocation drops the entry here
 * at once and in other processes on `NOTIFY rocket_api_keys` (`API_KEY_REVOCATIONS`). Uses are collected and written as
 * `last_used_at` in batches, never per request.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>()
  private readonly loading = new Map<string, Promise<ApiKeyPrincipal | null>>()
  /** Revocations seen while a load was under way: such a load must not cache its (stale) row. */
  private generation = 0
  /** Key id → last use (ms), until the next flush. */
  readonly uses = new Map<string, number>()

  /** The cached principal of a key hash: undefined when not cached (or too old), null for an unknown key. */
  get (hash: string, now: number): ApiKeyPrincipal | null | undefined {
    const entry = this.entries.get(hash)
    if (entry === undefined) return undefined
    if (now - entry.loadedAt > (entry.principal === null ? UNKNOWN_AGE_MS : MAX_AGE_MS)) {
      this.entries.delete(hash)
      return undefined
    }
    return entry.principal
  }

  /** Reads a key from the database (concurrent requests with the same key share one query). */
  async load (hash: string, find: (hash: string) => Promise<ApiKeyPrincipal | null>): Promise<ApiKeyPrincipal | null> {
    let pending = this.loading.get(hash)
    if (pending === undefined) {
      const seen = this.generation
      pending = find(hash).then((principal) => {
        if (seen === this.generation) {
          if (this.entries.size >= MAX_ENTRIES) this.entries.clear()
          this.entries.set(hash, { principal, loadedAt: Date.now() })
        }
        return principal
      }).finally(() => { this.loading.delete(hash) })
      this.loading.set(hash, pending)
    }
    return await pending
  }

  /** A key was revoked: its next use reads the database again. */
  forget (keyId: string): void {
    this.generation++
    for (const [hash, entry] of this.entries) if (entry.principal?.id === keyId) this.entries.delete(hash)
  }

  /** Drops everything (after the LISTEN connection reconnected: notifications may have been lost). */
  clear (): void {
    this.generation++
    this.entries.clear()
  }
}

/** Caches with uses not yet written (strong references until the next flush). */
const dirty = new Map<AppContext, ApiKeyCache>()

/** Payload fields: `<keyId>` of a revoked key; a reconnect clears every open app's cache. */
export const API_KEY_REVOCATIONS = new AppChannel<ApiKeyCache>({
  channel: 'rocket_api_keys',
  create: () => new ApiKeyCache(),
  apply: (cache, [keyId]) => { if (keyId !== undefined) cache.forget(keyId) },
  resync: (_app, cache) => { cache.clear() }
})

export function apiKeyCacheOf (app: AppContext): ApiKeyCache {
  return API_KEY_REVOCATIONS.of(app)
}

/** The API key a request presents: `X-API-Key`, or a bearer token starting with `rk_`; null when it presents none. */
export function presentedApiKey (authorization: string | undefined, xApiKey: string | string[] | undefined): string | null {
  if (authorization !== undefined) return authorization.startsWith('Bearer rk_') ? authorization.slice(7) : null
  return typeof xApiKey === 'string' ? xApiKey : null
}

function principalUser (principal: ApiKeyPrincipal, app: AppContext, now: number): UserContext {
  if (principal.revoked) throw unauthorized('API key revoked')
  if (principal.expiresAt !== null && principal.expiresAt <= now) throw unauthorized('API key expired')
  const cache = apiKeyCacheOf(app)
  cache.uses.set(principal.id, now)
  dirty.set(app, cache)
  // A service principal: `$user.id` is the key's id; no email, so `$user.email` conditions grant nothing.
  return { id: principal.id, email: '', roles: [...principal.roles], apiKey: true }
}

/**
 * SHA-256 of well-formed keys presented to this process, by the key itself: a repeat request
 * skips the format check and the hash (like the verified-JWT cache, which is keyed by the raw
 * token). Bounded; holds nothing a request did not already carry in this process's memory.
 */
const presentedHashes = new Map<string, string>()

function hashOfPresented (key: string): string {
  let hash = presentedHashes.get(key)
  if (hash === undefined) {
    if (!API_KEY_RE.test(key)) throw unauthorized('Invalid API key')
    hash = hashApiKey(key)
    if (presentedHashes.size >= MAX_ENTRIES) presentedHashes.clear()
    presentedHashes.set(key, hash)
  }
  return hash
}

/**
 * The principal of an API key: synchronously from the cache (the usual case), else a promise
 * after one query. Unknown, malformed, revoked and expired keys throw 401 UNAUTHORIZED.
 */
export function authenticateApiKey (app: AppContext, key: string): UserContext | Promise<UserContext> {
  const hash = hashOfPresented(key)
  const cache = apiKeyCacheOf(app)
  const now = Date.now()
  const cached = cache.get(hash, now)
  const known = (principal: ApiKeyPrincipal | null, at: number): UserContext => {
    if (principal === null) throw unauthorized('Invalid API key')
    return principalUser(principal, app, at)
  }
  if (cached !== undefined) return known(cached, now)
  return cache.load(hash, async (h) => await findApiKeyByHash(app.sql, h)).then((p) => known(p, Date.now()))
}

/** Whether a key principal authenticates at `now` (known, not revoked, not expired). */
function usable (principal: ApiKeyPrincipal | null, now: number): boolean {
  return principal !== null && !principal.revoked && (principal.expiresAt === null || principal.expiresAt > now)
}

/**
 * Whether the key with this hash still authenticates — for a realtime stream opened with it,
 * which re-asks regularly: from the cache when it holds the key (no query), else one query
 * shared with concurrent requests (after a revocation dropped the entry, or after `MAX_AGE_MS`).
 * No use is recorded: a stream is not a request.
 */
export function apiKeyStillValid (app: AppContext, hash: string): boolean | Promise<boolean> {
  const cache = apiKeyCacheOf(app)
  const cached = cache.get(hash, Date.now())
  if (cached !== undefined) return usable(cached, Date.now())
  return cache.load(hash, async (h) => await findApiKeyByHash(app.sql, h)).then((p) => usable(p, Date.now()))
}

/** The cached `expires_at` (ms) of a key just used; null when it never expires or is not cached. */
export function cachedApiKeyExpiry (app: AppContext, hash: string): number | null {
  return apiKeyCacheOf(app).get(hash, Date.now())?.expiresAt ?? null
}

/** Writes every app's collected `last_used_at` values (a failed write is logged; the uses are not retried). */
export async function flushApiKeyUses (log: FastifyBaseLogger): Promise<void> {
  const batch = [...dirty]
  dirty.clear()
  await Promise.all(batch.map(async ([app, cache]) => {
    const uses = new Map(cache.uses)
    cache.uses.clear()
    await recordApiKeyUse(app.sql, uses).catch((err: unknown) => { log.warn({ err, app: app.name }, 'recording API key use failed') })
  }))
}
