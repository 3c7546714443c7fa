import type { AppContext } from '../apps/context.js'
import type { UsersRow } from '../db/system-tables.js'
import { AppChannel } from './app-channel.js'

/**
 * Per-user access-token versions (docs/security.md, "Access tokens"). `_users.token_version`
 * is raised whenever a user's roles, password, active flag or email change; access tokens
 * carry the version they were issued with (`tv`), and one older than the user's current
 * version is refused. Each process keeps the versions in memory — only users whose version
 * was ever raised, so a token is checked with one Map lookup and no query — and learns the
 * raises made by other processes through NOTIFY on `rocket_tokens`.
 */
export class TokenVersions {
  private readonly versions = new Map<string, number>()

  /** The version a user's tokens must carry (0 for a user never changed). */
  current (userId: string): number {
    return this.versions.get(userId) ?? 0
  }

  /** Versions only grow: a stale load or a late notification never lowers one. */
  raise (userId: string, version: number): void {
    if (version > this.current(userId)) this.versions.set(userId, version)
  }
}

/** Merges the database's versions into the app's (a merge: versions only grow). */
async function loadTokenVersions (app: AppContext, versions: TokenVersions): Promise<void> {
  const rows = await app.sql<Array<Pick<UsersRow, 'id' | 'token_version'>>>`SELECT id, token_version FROM _users WHERE token_version > 0`
  for (const row of rows) versions.raise(row.id, row.token_version)
}

/** Payload fields: `<userId>:<version>`. */
export const TOKEN_VERSIONS = new AppChannel<TokenVersions>({
  channel: 'rocket_tokens',
  create: () => new TokenVersions(),
  apply: (versions, [userId, version]) => {
    if (userId !== undefined && version !== undefined && /^\d{1,9}$/.test(version)) versions.raise(userId, Number(version))
  },
  resync: loadTokenVersions
})

/** The token versions of an app in this process. */
export function tokenVersionsOf (app: AppContext): TokenVersions {
  return TOKEN_VERSIONS.of(app)
}
