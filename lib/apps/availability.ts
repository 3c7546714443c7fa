import postgres from 'postgres'
import { appNotFound, serviceUnavailable, type ApiError } from '../errors.js'

/**
 * What a request of an app answers when the app's database cannot be used (docs/ARCHITECTURE.md,
 * "Across processes"): the app was deleted (by this or another process) → 404 APP_NOT_FOUND; it
 * still exists but its database is missing or its server unreachable → 503 SERVICE_UNAVAILABLE.
 * Never a 500, and never the PostgreSQL message.
 */

/** SQLSTATEs of a database that is gone or refusing connections (dropped, terminated by DROP DATABASE … FORCE, shutting down). */
const GONE_STATES = new Set(['3D000', '57P01', '57P02', '57P03'])
/** postgres.js and socket error codes of a connection that could not be made or was cut. */
const CONNECTION_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT'])

/** True for an error that says the database (not the statement) is the problem. */
export function isDatabaseUnreachable (err: unknown): boolean {
  if (err instanceof postgres.PostgresError) return GONE_STATES.has(err.code) || err.code.startsWith('08')
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && CONNECTION_CODES.has(code)
}

export function appUnavailable (name: string): ApiError {
  return serviceUnavailable(`App '${name}' is unavailable: its database cannot be reached; retry later`)
}

/** The answer for a request of `name` whose database failed it: 404 once the app is deleted (its context is forgotten), else 503. */
export async function lostAppError (apps: { exists: (name: string) => Promise<boolean>, forget: (name: string) => Promise<void> }, name: string): Promise<ApiError> {
  const exists = await apps.exists(name).catch(() => true)
  if (exists) return appUnavailable(name)
  await apps.forget(name).catch(() => {})
  return appNotFound(`App '${name}' not found`)
}
