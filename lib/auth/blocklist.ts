import type { AppContext } from '../apps/context.js'
import type { UsersRow } from '../db/system-tables.js'
import { AppChannel } from './app-channel.js'

/**
 * Users of one app whose access tokens must stop working before they expire: deactivated
 * users (for as long as they are inactive) and deleted users (for one access-token
 * lifetime, after which every token they held has expired anyway). Checked on every
 * authenticated request, so it is an in-memory Set/Map lookup — no query per request.
 *
 * Consistency: the process that changes a user updates its list after the commit; the others
 * apply the change announced on `rocket_blocklist` (`BLOCKLIST`). Inactive users are read from
 * the database when the app opens and after a LISTEN reconnect. Deleted users cannot be read
 * back: a deletion missed while disconnected lasts at most one access-token lifetime (their
 * refresh tokens went with them, so no new access token is issued).
 */
export class UserBlocklist {
  private inactive = new Set<string>()
  private readonly deleted = new Map<string, number>()
  /** Bumped on every change; a refresh that raced with one is discarded. */
  private generation = 0

  /** Whether tokens of this user must be refused now. */
  has (userId: string): boolean {
    if (this.inactive.has(userId)) return true
    const until = this.deleted.get(userId)
    if (until === undefined) return false
    if (until > Date.now()) return true
    this.deleted.delete(userId)
    return false
  }

  /** A deactivated user: refused until reactivated. */
  deactivated (userId: string): void {
    this.generation++
    this.inactive.add(userId)
  }

  /** A reactivated user: new tokens work again (login and refresh check `active` themselves). */
  reactivated (userId: string): void {
    this.generation++
    this.inactive.delete(userId)
  }

  /** A deleted user: refused for `ttlSeconds` (the access-token lifetime). */
  removed (userId: string, ttlSeconds: number): void {
    this.generation++
    this.inactive.delete(userId)
    const now = Date.now()
    for (const [id, until] of this.deleted) if (until <= now) this.deleted.delete(id)
    this.deleted.set(userId, now + ttlSeconds * 1000)
  }

  /** Replaces the inactive set with the database's view, unless a change arrived meanwhile. */
  async refreshInactive (load: () => Promise<string[]>): Promise<void> {
    const seen = this.generation
    const ids = await load()
    if (seen === this.generation) this.inactive = new Set(ids)
  }
}

/** A change of one user's place on the blocklist, as announced. */
export type BlocklistChange =
  | { userId: string, kind: 'deactivated' | 'reactivated' }
  /** `ttlSeconds`: the announcing process's access-token lifetime. */
  | { userId: string, kind: 'removed', ttlSeconds: number }

/** Applies a change to a blocklist (here after the commit; elsewhere on the NOTIFY). */
export function applyBlocklistChange (list: UserBlocklist, change: BlocklistChange): void {
  if (change.kind === 'removed') list.removed(change.userId, change.ttlSeconds)
  else if (change.kind === 'deactivated') list.deactivated(change.userId)
  else list.reactivated(change.userId)
}

/** The payload fields of a change: `<userId>:<kind>[:<ttlSeconds>]`. */
export function blocklistFields (change: BlocklistChange): string[] {
  return change.kind === 'removed' ? [change.userId, change.kind, String(change.ttlSeconds)] : [change.userId, change.kind]
}

function parseFields ([userId, kind, ttl]: string[]): BlocklistChange | null {
  if (userId === undefined) return null
  if (kind === 'deactivated' || kind === 'reactivated') return { userId, kind }
  if (kind === 'removed' && ttl !== undefined && /^\d{1,9}$/.test(ttl)) return { userId, kind, ttlSeconds: Number(ttl) }
  return null
}

async function loadInactive (app: AppContext, list: UserBlocklist): Promise<void> {
  await list.refreshInactive(async () => {
    const rows = await app.sql<Array<Pick<UsersRow, 'id'>>>`SELECT id FROM _users WHERE NOT active`
    return rows.map((r) => r.id)
  })
}

export const BLOCKLIST = new AppChannel<UserBlocklist>({
  channel: 'rocket_blocklist',
  create: () => new UserBlocklist(),
  apply: (list, fields) => {
    const change = parseFields(fields)
    if (change !== null) applyBlocklistChange(list, change)
  },
  resync: loadInactive
})

/** The blocklist of an app in this process. */
export function blocklistOf (app: AppContext): UserBlocklist {
  return BLOCKLIST.of(app)
}
