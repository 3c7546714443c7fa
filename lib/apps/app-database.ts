import { connect, withDatabase, type Sql } from '../db/connection.js'
import { quoteIdent } from '../db/identifiers.js'
import { dropAppRole, ensureAppRole, type AppRole } from '../db/roles.js'

/**
 * Each app's database and role, created and dropped by the platform's own role
 * (docs/security.md, "Databases and roles"): the app role owns its database and everything in
 * it and may connect to nothing else; the platform role stays the only one able to create.
 */

async function withConnection<T> (url: string, work: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = connect(url, { max: 1 })
  try { return await work(sql) } finally { await sql.end() }
}

/** URL of an app database logged in as the app's role. */
export function appDatabaseUrl (serverUrl: string, dbName: string, role: AppRole): string {
  const u = new URL(withDatabase(serverUrl, dbName))
  u.username = encodeURIComponent(role.name)
  u.password = encodeURIComponent(role.password)
  return u.toString()
}

/** Only the owner (and superusers) may connect: PUBLIC's default CONNECT and TEMP go. */
export async function restrictDatabase (sql: Sql, dbName: string): Promise<void> {
  await sql.unsafe(`REVOKE ALL ON DATABASE ${quoteIdent(dbName)} FROM PUBLIC`)
}

/**
 * Creates the app's role and a fresh database for it (a leftover of the same name is dropped).
 * The database is prepared as the platform role — closed to PUBLIC, CONNECT granted to the app
 * role, the extensions the system tables need (pgcrypto) created — then handed to the app role.
 */
export async function createAppDatabase (serverUrl: string, dbName: string, role: AppRole): Promise<void> {
  const db = quoteIdent(dbName)
  await withConnection(withDatabase(serverUrl, 'postgres'), async (sql) => {
    await ensureAppRole(sql, role)
    await sql.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)
    await sql.unsafe(`CREATE DATABASE ${db}`)
    await restrictDatabase(sql, dbName)
    await sql.unsafe(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${quoteIdent(role.name)}`)
  })
  await withConnection(withDatabase(serverUrl, dbName), async (sql) => {
    await sql`CREATE EXTENSION IF NOT EXISTS pgcrypto`
    await sql.unsafe(`ALTER DATABASE ${db} OWNER TO ${quoteIdent(role.name)}`)
  })
}

/** Drops the app's database, then its role (which then owns nothing). */
export async function dropAppDatabase (serverUrl: string, dbName: string, roleName: string): Promise<void> {
  await withConnection(withDatabase(serverUrl, 'postgres'), async (sql) => {
    await sql.unsafe(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`)
    await dropAppRole(sql, roleName)
  })
}

/** Objects of the public schema not yet owned by the role, as ALTER ... OWNER statements (extension members and objects that follow their table excluded). */
const OWNERSHIP_STATEMENTS = `
  SELECT format('ALTER %s %I.%I OWNER TO %I',
    CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
    n.nspname, c.relname, $1::text) AS stmt
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relowner <> $1::regrole
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'i', 'a'))
  UNION ALL
  SELECT format('ALTER TYPE %I.%I OWNER TO %I', n.nspname, t.typname, $1::text)
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = 'public' AND t.typowner <> $1::regrole AND t.typtype IN ('e', 'd', 'r')
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  UNION ALL
  SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $1::text)
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = 'public' AND p.proowner <> $1::regrole
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')`

/**
 * Moves an app created before apps had roles (its database and objects owned by the platform
 * role) to its own role; at every start, idempotent. The database's owner changes last, so an
 * interrupted run is completed by the next one.
 */
export async function migrateAppToRole (serverUrl: string, dbName: string, role: AppRole): Promise<void> {
  const db = quoteIdent(dbName)
  const owner = await withConnection(withDatabase(serverUrl, 'postgres'), async (sql) => {
    await ensureAppRole(sql, role)
    const [row] = await sql<Array<{ owner: string }>>`SELECT pg_catalog.pg_get_userbyid(datdba) AS owner FROM pg_catalog.pg_database WHERE datname = ${dbName}`
    return row?.owner
  })
  if (owner === undefined || owner === role.name) return
  await withConnection(withDatabase(serverUrl, dbName), async (sql) => {
    await sql.begin(async (tx) => {
      const statements = await tx.unsafe<Array<{ stmt: string }>>(OWNERSHIP_STATEMENTS, [role.name])
      for (const { stmt } of statements) await tx.unsafe(stmt)
    })
    await sql`CREATE EXTENSION IF NOT EXISTS pgcrypto`
    await restrictDatabase(sql, dbName)
    await sql.unsafe(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${quoteIdent(role.name)}`)
    await sql.unsafe(`ALTER DATABASE ${db} OWNER TO ${quoteIdent(role.name)}`)
  })
}
