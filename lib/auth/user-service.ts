import type { AppContext } from '../apps/context.js'
import type { TransactionSql } from '../db/connection.js'
import type { MailOutbox } from '../mail/outbox.js'
import { commitAnnounced, type Announcement, type Announcer } from './app-channel.js'
import { applyBlocklistChange, BLOCKLIST, blocklistFields, blocklistOf, type BlocklistChange } from './blocklist.js'
import { hashPassword } from './passwords.js'
import { revokeUserTokens } from './refresh-tokens.js'
import { TOKEN_VERSIONS, tokenVersionsOf } from './token-versions.js'
import {
  deleteUserRow, emailTaken, getUser, insertUser, invalidatesTokens, isUniqueViolation, lockUser, parseUserBody, userExists,
  writeUserChanges, type UserRecord
} from './users.js'

/**
 * What every user and invite service takes (docs/ARCHITECTURE.md, "Permissions, users,
 * invites"): the app, where changes are announced to the other processes, and what the
 * services' side effects need. Routes build it once per request and only parse, call, answer.
 */
export interface UserServiceContext {
  app: AppContext
  /** The management database's pool and this process's id (`fastify.platform`). */
  platform: Announcer
  /** Access-token lifetime (s): how long a deleted user's tokens stay refused. */
  accessTokenTtl: number
  /** Invite mails, sent after the answer. */
  mail: MailOutbox
}

/** What a committed change does to this process's memory (the other processes get it by NOTIFY). */
interface MemoryChange {
  userId: string
  tokenVersion: number | null
  blocklist: BlocklistChange | null
}

function announcementsOf (ctx: UserServiceContext, change: MemoryChange): Announcement[] {
  const out: Announcement[] = []
  if (change.tokenVersion !== null) out.push(TOKEN_VERSIONS.announcement(ctx.platform, ctx.app.name, [change.userId, change.tokenVersion]))
  if (change.blocklist !== null) out.push(BLOCKLIST.announcement(ctx.platform, ctx.app.name, blocklistFields(change.blocklist)))
  return out
}

/** After the commit: older access tokens and blocked users are refused here from the next request on. */
function applyHere (ctx: UserServiceContext, change: MemoryChange): void {
  if (change.tokenVersion !== null) tokenVersionsOf(ctx.app).raise(change.userId, change.tokenVersion)
  if (change.blocklist !== null) applyBlocklistChange(blocklistOf(ctx.app), change.blocklist)
}

/**
 * Runs a user change as one unit: `work` in one transaction of the app database, its
 * announcements queued with it (`commitAnnounced`), this process's memory updated after the commit.
 */
async function changeUser<R> (ctx: UserServiceContext, work: (tx: TransactionSql) => Promise<{ result: R, change: MemoryChange }>): Promise<R> {
  const { result, change } = await commitAnnounced(ctx.platform, ctx.app.sql, async (tx) => {
    const done = await work(tx)
    return { result: done, announcements: announcementsOf(ctx, done.change) }
  })
  applyHere(ctx, change)
  return result
}

/**
 * Creates a user: email (unique, case-insensitive → 409), password (hashed), roles, active.
 * Nothing to announce (a new user has no tokens), so only the app is needed: sample-data
 * imports create users too.
 */
export async function createUser (ctx: Pick<UserServiceContext, 'app'>, body: unknown): Promise<UserRecord> {
  const c = parseUserBody(body, true)
  const email = c.email as string
  if (await userExists(ctx.app.sql, email)) throw emailTaken(email)
  return await insertUser(ctx.app.sql, { email, passwordHash: await hashPassword(c.password as string), roles: c.roles ?? [], active: c.active })
}

/**
 * Partial update (PUT with a subset of email, password, roles, active). A change that
 * invalidates access tokens raises the token version in the same UPDATE; deactivating the
 * user or setting a password revokes their refresh tokens; both are announced with the same
 * unit and applied here after the commit. Deactivating is this with `{active: false}`.
 */
export async function updateUser (ctx: UserServiceContext, id: string, body: unknown): Promise<UserRecord> {
  // An unknown id is 404 before the body is looked at.
  const known = await getUser(ctx.app.sql, id)
  const c = parseUserBody(body, false)
  // bcrypt before the transaction: the row lock is never held across it.
  const passwordHash = c.password !== undefined ? await hashPassword(c.password) : null
  try {
    return await changeUser(ctx, async (tx) => {
      const before = await lockUser(tx, known.id)
      if (c.email !== undefined && c.email !== before.email && await userExists(tx, c.email, before.id)) throw emailTaken(c.email)
      const raise = invalidatesTokens(c, before)
      const { token_version: version, ...user } = await writeUserChanges(tx, before, { ...c, passwordHash }, raise)
      const deactivated = before.active && !user.active
      // A new password ends the user's other sessions too; access tokens follow the token version.
      if (deactivated || passwordHash !== null) await revokeUserTokens(tx, { table: '_refresh_tokens', userId: user.id })
      const blocklist: BlocklistChange | null = before.active === user.active
        ? null
        : { userId: user.id, kind: deactivated ? 'deactivated' : 'reactivated' }
      return { result: user, change: { userId: user.id, tokenVersion: raise ? version : null, blocklist } }
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken(c.email ?? known.email)
    throw err
  }
}

/**
 * Deletes a user: the row (their refresh tokens go with it: ON DELETE CASCADE) and the
 * announcement in one unit; their access tokens are refused for one access-token lifetime.
 */
export async function deleteUser (ctx: UserServiceContext, id: string): Promise<UserRecord> {
  return await changeUser(ctx, async (tx) => {
    const user = await lockUser(tx, id)
    await deleteUserRow(tx, user.id)
    return { result: user, change: { userId: user.id, tokenVersion: null, blocklist: { userId: user.id, kind: 'removed', ttlSeconds: ctx.accessTokenTtl } } }
  })
}
