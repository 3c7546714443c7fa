import type { FastifyBaseLogger } from 'fastify'
import type { AppContext } from '../apps/context.js'
import type { AppManager } from '../apps/manager.js'
import type { Sql } from '../db/connection.js'
import { blocklistOf } from './blocklist.js'

/**
 * Per-user access-token versions (docs/security.md, "Access tokens"). `_users.token_version`
 * is raised whenever a user's roles, password, active flag or email change; access tokens
 * carry the version they were issued with (`tv`), and one older than the user's current
 * version is refused. Each process keeps the versions in memory — only users whose version
 * was ever raised, so a token is checked with one Map lookup and no query — and learns the
 * raises made by other processes through NOTIFY on `TOKENS_CHANNEL`.
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

const versionsByApp = new WeakMap<AppContext, TokenVersions>()

/** The token versions of an app (created empty on first use). */
export function tokenVersionsOf (app: AppContext): TokenVersions {
  let versions = versionsByApp.get(app)
  if (versions === undefined) {
    versions = new TokenVersions()
    versionsByApp.set(app, versions)
  }
  return versions
}

/** Merges the database's versions into the app's (at app open, on every reload, after a LISTEN reconnect). */
export async function loadTokenVersions (app: AppContext): Promise<void> {
  const rows = await app.db.selectFrom('_users').select(['id', 'token_version']).where('token_version', '>', 0).execute()
  const versions = tokenVersionsOf(app)
  for (const row of rows) versions.raise(row.id, row.token_version)
}

export const TOKENS_CHANNEL = 'rocket_tokens'
/** Payload version of a deleted user: other processes block the user's tokens until they expire. */
const DELETED = 'deleted'

/** What a process needs to announce and receive token changes. */
export interface TokenChannel {
  sql: Sql
  /** This process's id: its own announcements are skipped. */
  instanceId: string
}

/** Tells the other processes that a user's tokens changed (a raised version, or `deleted`). */
export async function announceTokenChange (channel: TokenChannel, change: { app: string, userId: string, version: number | 'deleted' }): Promise<void> {
  await channel.sql.notify(TOKENS_CHANNEL, `${channel.instanceId}:${change.app}:${change.userId}:${change.version}`)
}

interface Listening { apps: AppManager, log: FastifyBaseLogger, accessTokenTtl: number }

function apply (payload: string, { apps, accessTokenTtl }: Listening, instanceId: string): void {
  const [origin, appName, userId, version] = payload.split(':')
  if (origin === instanceId || appName === undefined || userId === undefined || version === undefined) return
  // An app not open here reads the versions from the database when it opens.
  const app = apps.peek(appName)
  if (app === undefined) return
  if (version === DELETED) blocklistOf(app).removed(userId, accessTokenTtl)
  else if (/^\d{1,9}$/.test(version)) tokenVersionsOf(app).raise(userId, Number(version))
}

/**
 * Listens for other processes' token changes. On every (re)connect of the LISTEN connection
 * the open apps reload their versions, so a notification lost while disconnected is made up.
 * Returns the function that stops listening.
 */
export async function listenForTokenChanges (channel: TokenChannel, listening: Listening): Promise<() => Promise<void>> {
  let first = true
  const listener = await channel.sql.listen(TOKENS_CHANNEL, (payload) => { apply(payload, listening, channel.instanceId) }, () => {
    if (first) {
      first = false
      return
    }
    void listening.apps.openContexts()
      .then(async (contexts) => { await Promise.all(contexts.map(loadTokenVersions)) })
      .catch((err: unknown) => { listening.log.error(err, 'token versions reload failed') })
  })
  return async () => { await listener.unlisten().catch(() => {}) }
}
