import type { AppContext, UserContext } from '../apps/context.js'
import { apiKeyStillValid, cachedApiKeyExpiry, presentedApiKey } from '../auth/api-key-cache.js'
import { hashApiKey } from '../auth/api-keys.js'
import { blocklistOf } from '../auth/blocklist.js'
import { tokenVersionsOf } from '../auth/token-versions.js'

/**
 * What a stream was opened with, re-checked while it runs (docs/ARCHITECTURE.md "Realtime"):
 * a request with the same credential would be refused from the moment `valid()` is false, so
 * the stream ends then (`event: auth_expired`).
 */
export interface StreamCredential {
  /** When it stops working by itself (ms since the epoch): the token's `exp`, the key's `expires_at`; null: never. */
  expiresAt: number | null
  /**
   * Whether it still authenticates: from memory (blocklist, token versions, the API-key cache),
   * or a promise when a key's cache entry was dropped (revoked here or in another process,
   * or older than the cache's age) and the key is read again.
   */
  valid: () => boolean | Promise<boolean>
}

/** `exp` (ms) and `tv` of an already verified bearer token (no verification here). */
function claimsOf (authorization: string | undefined): { exp: number | null, tv: number } {
  const payload = authorization?.split('.')[1]
  if (payload === undefined) return { exp: null, tv: 0 }
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { exp?: unknown, tv?: unknown }
    return { exp: typeof claims.exp === 'number' ? claims.exp * 1000 : null, tv: typeof claims.tv === 'number' ? claims.tv : 0 }
  } catch {
    return { exp: null, tv: 0 }
  }
}

/**
 * The credential of an authenticated stream request (`user` is what `authenticateApp` made of
 * these headers): an API key (revoked or expired → invalid), an app user's access token
 * (deactivated, deleted, or older than the user's token version → invalid), or a platform token
 * (valid until it expires).
 */
export function streamCredential (app: AppContext, user: UserContext, headers: { authorization?: string | undefined, 'x-api-key'?: string | string[] | undefined }): StreamCredential {
  if (user.apiKey === true) {
    const key = presentedApiKey(headers.authorization, headers['x-api-key'])
    if (key === null) return { expiresAt: null, valid: () => false }
    const hash = hashApiKey(key)
    return { expiresAt: cachedApiKeyExpiry(app, hash), valid: () => apiKeyStillValid(app, hash) }
  }
  const { exp, tv } = claimsOf(headers.authorization)
  if (user.platform === true) return { expiresAt: exp, valid: () => true }
  const blocklist = blocklistOf(app)
  const versions = tokenVersionsOf(app)
  return { expiresAt: exp, valid: () => !blocklist.has(user.id) && tv >= versions.current(user.id) }
}
