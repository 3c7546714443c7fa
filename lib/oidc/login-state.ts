import { createHash } from 'node:crypto'
import type { Sql } from '../db/connection.js'

/** How long a login may take between the redirect to the provider and its callback. */
export const LOGIN_TTL_SECONDS = 600

/** What the callback needs from the start of the login. */
export interface PendingLogin {
  providerId: string
  nonce: string
  codeVerifier: string
  /** The redirect_uri sent to the provider: the code exchange must repeat it exactly. */
  callbackUrl: string
}

const hashOf = (state: string): string => createHash('sha256').update(state).digest('base64url')

/**
 * Records a login under way in the app's database (not in process memory: the callback may
 * reach another server process), keyed by a hash of its state. Expired rows are removed on the
 * way, a few at a time, so abandoned logins do not pile up.
 */
export async function saveLogin (sql: Sql, state: string, login: PendingLogin): Promise<void> {
  await sql`DELETE FROM _oidc_logins WHERE state_hash IN (SELECT state_hash FROM _oidc_logins WHERE expires_at < now() LIMIT 100)`
  await sql`INSERT INTO _oidc_logins (state_hash, provider_id, nonce, code_verifier, callback_url, expires_at)
    VALUES (${hashOf(state)}, ${login.providerId}, ${login.nonce}, ${login.codeVerifier}, ${login.callbackUrl}, now() + ${LOGIN_TTL_SECONDS} * interval '1 second')`
}

/**
 * Takes the login of a state out, once: the row is deleted by the statement that reads it, so a
 * replayed callback (same state, same code) finds nothing, in whichever process it arrives.
 * Null for an unknown, used or expired state, or one started for another provider.
 */
export async function takeLogin (sql: Sql, state: string, providerId: string): Promise<PendingLogin | null> {
  const [row] = await sql<Array<{ provider_id: string, nonce: string, code_verifier: string, callback_url: string, live: boolean }>>`
    DELETE FROM _oidc_logins WHERE state_hash = ${hashOf(state)}
    RETURNING provider_id, nonce, code_verifier, callback_url, expires_at > now() AS live`
  if (row === undefined || !row.live || row.provider_id !== providerId) return null
  return { providerId: row.provider_id, nonce: row.nonce, codeVerifier: row.code_verifier, callbackUrl: row.callback_url }
}
