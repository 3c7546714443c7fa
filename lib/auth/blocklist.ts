import type { AppContext } from '../apps/context.js'

/**
 * Users of one app whose access tokens must stop working before they expire: deactivated
 * users (for as long as they are inactive) and deleted users (for one access-token
 * lifetime, after which every token they held has expired anyway). Checked on every
 * authenticated request, so it is an in-memory Set/Map lookup — no query per request.
 *
 * Consistency: this process updates the list as soon as it deactivates or deletes a user.
 * Other processes learn deactivations from `refreshInactive` when the admin route announces
 * the change (the metadata NOTIFY reloads their registry, which reruns it); deletions made
 * elsewhere reach them only through the bounded token lifetime (their refresh tokens are
 * deleted with the user, so no new access token can be issued).
 */
export class UserBlocklist {
  private inactive = new Set<string>()
  private readonly deleted = new Map<string, number>()
  /** Bumped on every local change; a refresh that raced with one is discarded. */
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

  /** Replaces the inactive set with the database's view, unless a local change happened meanwhile. */
  async refreshInactive (load: () => Promise<string[]>): Promise<void> {
    const seen = this.generation
    const ids = await load()
    if (seen === this.generation) this.inactive = new Set(ids)
  }
}

const lists = new WeakMap<AppContext, UserBlocklist>()

/** The blocklist of an app (created empty on first use). */
export function blocklistOf (app: AppContext): UserBlocklist {
  let list = lists.get(app)
  if (list === undefined) {
    list = new UserBlocklist()
    lists.set(app, list)
  }
  return list
}

/** Loads the ids of the app's inactive users into its blocklist (at app open and on every announced change). */
export async function refreshInactiveUsers (app: AppContext): Promise<void> {
  await blocklistOf(app).refreshInactive(async () => {
    const rows = await app.db.selectFrom('_users').select('id').where('active', '=', false).execute()
    return rows.map((r) => r.id)
  })
}
