import { connect, withDatabase, type Sql } from '../db/connection.js'
import type { ErrorDetail } from '../errors.js'
import { endpointOf } from './urls.js'

/** The oldest PostgreSQL an app database may be placed on (docs/ARCHITECTURE.md, "Database servers"). */
const MIN_SERVER_VERSION = 140000
const CHECK_TIMEOUT_S = 5

interface ServerFacts { version: number, standby: boolean, superuser: boolean, createRole: boolean, createDb: boolean }

/**
 * What a registration needs to hold before it is stored: the primary answers as a PostgreSQL 14+
 * primary whose role may create roles and databases, and every replica answers as a standby.
 * Returns one detail per problem (empty: fine). Messages name `host:port`, never the URL (it
 * carries a password), nor the server's own error text.
 */
export async function checkServer (url: string, replicas: readonly string[]): Promise<ErrorDetail[]> {
  const problems: ErrorDetail[] = []
  const primary = await factsOf(url)
  if (typeof primary === 'string') problems.push({ field: 'url', rule: 'reachable', message: primary })
  else {
    if (primary.standby) problems.push({ field: 'url', rule: 'primary', message: `${endpointOf(url)} is a standby (in recovery): give the primary's URL` })
    if (primary.version < MIN_SERVER_VERSION) problems.push({ field: 'url', rule: 'version', message: `${endpointOf(url)} runs PostgreSQL ${Math.floor(primary.version / 10000)}; 14 or newer is required` })
    if (!primary.superuser && !(primary.createRole && primary.createDb)) {
      problems.push({ field: 'url', rule: 'privileges', message: 'the role of url needs CREATEROLE and CREATEDB (each app gets its own role and database)' })
    }
  }
  await Promise.all(replicas.map(async (replica, i) => {
    const facts = await factsOf(replica)
    if (typeof facts === 'string') problems.push({ field: `replicas.${i}`, rule: 'reachable', message: facts })
    else if (!facts.standby) problems.push({ field: `replicas.${i}`, rule: 'standby', message: `${endpointOf(replica)} is not a standby (not in recovery)` })
  }))
  return problems
}

async function factsOf (url: string): Promise<ServerFacts | string> {
  let sql: Sql
  try {
    sql = connect(withDatabase(url, 'postgres'), { max: 1, connectTimeout: CHECK_TIMEOUT_S })
  } catch {
    return 'the URL does not parse'
  }
  try {
    const [row] = await sql<Array<{ v: string, standby: boolean, s: boolean, cr: boolean, cd: boolean }>>`
      SELECT current_setting('server_version_num') AS v, pg_catalog.pg_is_in_recovery() AS standby,
        rolsuper AS s, rolcreaterole AS cr, rolcreatedb AS cd
      FROM pg_catalog.pg_roles WHERE rolname = current_user`
    if (row === undefined) return `${endpointOf(url)} answered without a role`
    return { version: Number(row.v), standby: row.standby, superuser: row.s, createRole: row.cr, createDb: row.cd }
  } catch (err) {
    return unreachable(url, err)
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {})
  }
}

/** A connection failure in words of our own (the driver's text may quote the server). */
function unreachable (url: string, err: unknown): string {
  const code = (err as { code?: unknown }).code
  const at = endpointOf(url)
  if (code === '28P01' || code === '28000') return `${at} refused the login of the URL's user`
  if (code === '3D000') return `${at} has no database named postgres`
  if (code === 'CONNECT_TIMEOUT') return `${at} did not answer within ${CHECK_TIMEOUT_S} s`
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host of ${at} does not resolve`
  return `cannot connect to ${at}`
}
