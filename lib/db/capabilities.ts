import type { Sql, TransactionSql } from './connection.js'

/** The oldest PostgreSQL Rocket runs on (docs/ARCHITECTURE.md, "PostgreSQL versions"). */
export const MIN_SERVER_VERSION = 140000

/** What a PostgreSQL server can do that Rocket's SQL builders care about. */
export interface ServerCapabilities {
  /** `server_version_num`, e.g. 150018. */
  version: number
  /** PostgreSQL 18+: `RETURNING old.*` / `new.*` in UPDATE and DELETE. */
  returningOld: boolean
  /** PostgreSQL 16+: `GRANT role TO … WITH INHERIT TRUE, SET TRUE` (before 16 a membership always inherits and allows SET ROLE). */
  grantOptions: boolean
}

export function capabilitiesOf (version: number): ServerCapabilities {
  return { version, returningOld: version >= 180000, grantOptions: version >= 160000 }
}

/** Reads the server's version (one query, once per server at boot or when a pool is first opened). */
export async function detectCapabilities (sql: Sql | TransactionSql): Promise<ServerCapabilities> {
  const [row] = await sql<Array<{ v: string }>>`SELECT current_setting('server_version_num') AS v`
  return capabilitiesOf(Number(row?.v ?? 0))
}

/** A server older than MIN_SERVER_VERSION: refused at boot with a message naming the version found. */
export function unsupportedServer (caps: ServerCapabilities): string | null {
  if (caps.version >= MIN_SERVER_VERSION) return null
  return `PostgreSQL 14 or newer is required (the server reports server_version_num ${caps.version})`
}

/**
 * The capabilities the write path may rely on in this process: those of the oldest server it
 * has met. Statements are built once per shape and cached, and one process may hold pools on
 * several servers (DATABASE_SERVERS), so the SQL is chosen for the weakest of them; the
 * fallback forms run on every version, the 18-only forms only save an index probe.
 */
let weakest: ServerCapabilities | null = null

/** Records a server this process talks to (the management server at boot, each app server when its pool opens). */
export function noteServer (caps: ServerCapabilities): void {
  if (weakest === null || caps.version < weakest.version) weakest = caps
}

/** True while every server met so far supports `RETURNING old.*` (none met yet: false, the form every version runs). */
export function canReturnOld (): boolean {
  return weakest?.returningOld ?? false
}
