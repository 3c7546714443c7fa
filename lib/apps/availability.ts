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
  // Wrapped errors (a failed migration names its cause) are followed a few levels down.
  for (let e = err, depth = 0; e !== null && e !== undefined && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof postgres.PostgresError) return GONE_STATES.has(e.code) || e.code.startsWith('08')
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true
  }
  return false
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
