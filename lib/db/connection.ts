import postgres from 'postgres'
import { parseTimestamptz } from './timestamps.js'

export type Sql = postgres.Sql<Record<string, never>>
export type TransactionSql = postgres.TransactionSql<Record<string, never>>

export interface ConnectOptions {
  max: number
  /** Seconds before an idle connection is closed (0 = never). */
  idleTimeout?: number
  /** Seconds a connection attempt may take (default 10). */
  connectTimeout?: number
}

/**
 * Opens a postgres.js pool. Type parsing is tuned for the API: DATE stays a 'YYYY-MM-DD'
 * string (no time-zone shifts), NUMERIC and BIGINT stay strings (exact), TIMESTAMPTZ is a Date
 * (`parseTimestamptz`: a repeated moment is parsed and rendered once).
 */
export function connect (url: string, options: ConnectOptions): Sql {
  return postgres(url, {
    max: options.max,
    idle_timeout: options.idleTimeout ?? 0,
    connect_timeout: options.connectTimeout ?? 10,
    onnotice: () => {},
    transform: { undefined: null },
    types: {
      date: {
        to: 1082,
        from: [1082],
        serialize: (x: unknown) => x,
        parse: (x: string) => x
      },
      timestamptz: {
        to: 1184,
        from: [1184],
        // postgres.js's own serializer of a Date parameter.
        serialize: (x: unknown) => (x instanceof Date ? x : new Date(x as string)).toISOString(),
        parse: parseTimestamptz
      }
    }
  }) as unknown as Sql
}

/** Replaces the database name in a PostgreSQL URL. */
export function withDatabase (url: string, database: string): string {
  const u = new URL(url)
  u.pathname = '/' + database
  return u.toString()
}

/** The database name a PostgreSQL URL points at. */
export function databaseOf (url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres'
}

/** Creates a database when it does not exist yet. `name` must already be validated. */
export async function ensureDatabase (adminSql: Sql, name: string): Promise<boolean> {
  const rows = await adminSql`SELECT 1 FROM pg_database WHERE datname = ${name}`
  if (rows.length > 0) return false
  await adminSql.unsafe(`CREATE DATABASE "${name}"`)
  return true
}
