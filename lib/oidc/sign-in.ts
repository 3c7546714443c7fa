import type { Sql } from '../db/connection.js'
import { issueRefreshToken } from '../auth/refresh-tokens.js'
import type { Session } from '../auth/sessions.js'
import { normalizeEmail } from '../auth/users.js'
import type { IdentityClaims } from './client.js'
import { OidcLoginError } from './errors.js'
import type { ProviderConfig } from './providers.js'

/** The email a login may use: present, verified by the provider, of an allowed domain. */
function acceptedEmail (claims: IdentityClaims, provider: ProviderConfig): string {
  const email = normalizeEmail(claims.email)
  if (email === null) throw new OidcLoginError('email_missing', 'The provider did not share a valid email address (is the email scope granted?)')
  if (!claims.emailVerified) throw new OidcLoginError('email_not_verified', 'The provider has not verified this email address')
  const domain = email.slice(email.lastIndexOf('@') + 1)
  if (provider.allowedDomains !== null && !provider.allowedDomains.includes(domain)) {
    throw new OidcLoginError('domain_not_allowed', `Email addresses of ${domain} may not sign in with this provider`)
  }
  return email
}

/**
 * Signs in the person an ID token names (docs/reference.md, "Federated login"): the user with
 * that verified email, or — when there is none — a new user with the provider's default roles
 * and no password (password login stays refused for them until one is set). Creating is an
 * upsert on the unique lower(email) index, so two callbacks at once create one user. The
 * provider verified the address, so the user's `email_verified` is set (created so, or on the
 * first federated login of an existing user); nothing else about an existing user changes
 * (roles, password, active flag): no token version to raise.
 */
export async function signInFederated (sql: Sql, opts: { claims: IdentityClaims, provider: ProviderConfig, refreshTtl: number }): Promise<Session> {
  const email = acceptedEmail(opts.claims, opts.provider)
  await sql`INSERT INTO _users (email, password_hash, roles, email_verified) VALUES (${email}, NULL, ${opts.provider.defaultRoles}, true)
    ON CONFLICT ((lower(email))) DO NOTHING`
  const [user] = await sql<Array<{ id: string, email: string, roles: string[], active: boolean, tv: number, verified: boolean }>>`
    SELECT id, email, roles, active, token_version AS tv, email_verified AS verified FROM _users WHERE lower(email) = ${email}`
  if (user === undefined) throw new OidcLoginError('login_failed', 'The user could not be found or created')
  if (!user.active) throw new OidcLoginError('user_disabled', 'This account is disabled')
  // Guarded by the address: a concurrent email change leaves the new address unverified.
  if (!user.verified) await sql`UPDATE _users SET email_verified = true, updated_at = now() WHERE id = ${user.id} AND lower(email) = ${email}`
  const refreshToken = await issueRefreshToken(sql, { table: '_refresh_tokens', userId: user.id, ttlSeconds: opts.refreshTtl })
  return { user: { id: user.id, email: user.email, roles: user.roles, tokenVersion: user.tv }, refreshToken }
}
