import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import { detectCapabilities } from './capabilities.js'
import type { Sql, TransactionSql } from './connection.js'
import { quoteIdent } from './identifiers.js'

/** The login an app's pool uses (docs/security.md, "Databases and roles"). */
export interface AppRole {
  name: string
  password: string
}

/** Marks roles this engine created, so it never takes over (or drops) someone else's role of the same name. */
const ROLE_COMMENT = 'rocket app role'
/** Serialises role DDL between server processes (concurrent ALTER ROLE fails with "tuple concurrently updated"). */
const ROLE_LOCK = 7263502

/**
 * The role of an app: named after its database (so a prefix given to database names applies to
 * roles too), password an HMAC of the platform's role secret (kept in the management database,
 * which no app role may connect to) and the role name: never stored, never the same twice.
 */
export function appRoleFor (dbName: string, secret: string): AppRole {
  return { name: dbName, password: createHmac('sha256', secret).update(`app-role:${dbName}`).digest('base64url') }
}

/**
 * A SCRAM-SHA-256 verifier, so the password itself never reaches the server (nor its statement
 * log). PostgreSQL stores a `PASSWORD` value already in this form as is.
 */
export function scramVerifier (password: string): string {
  const salt = randomBytes(16)
  const iterations = 4096
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
  const clientKey = createHmac('sha256', salted).update('Client Key').digest()
  const storedKey = createHash('sha256').update(clientKey).digest()
  const serverKey = createHmac('sha256', salted).update('Server Key').digest()
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`
}

interface RoleRow { comment: string | null, s: boolean, r: boolean, b: boolean }

/**
 * Attributes an existing role must lose. CREATE ROLE's defaults are already none of them; only a
 * superuser may even mention SUPERUSER, REPLICATION or BYPASSRLS in ALTER ROLE, so they are named
 * only when set (a non-superuser platform then fails loudly rather than serving with them).
 */
function privilegedAttributes (row: RoleRow): string {
  return [row.s ? 'NOSUPERUSER' : '', row.r ? 'NOREPLICATION' : '', row.b ? 'NOBYPASSRLS' : ''].filter((a) => a !== '').join(' ')
}

async function roleRow (tx: TransactionSql, name: string): Promise<RoleRow | undefined> {
  const [row] = await tx<RoleRow[]>`SELECT shobj_description(oid, 'pg_authid') AS comment, rolsuper AS s, rolreplication AS r, rolbypassrls AS b
    FROM pg_catalog.pg_roles WHERE rolname = ${name}`
  return row
}

/** True when the connected (platform) role is a superuser. */
export async function isSuperuser (sql: Sql | TransactionSql): Promise<boolean> {
  const [row] = await sql<Array<{ s: boolean }>>`SELECT rolsuper AS s FROM pg_catalog.pg_roles WHERE rolname = current_user`
  return row?.s === true
}

/**
 * Creates the app's role, or brings an existing one of ours back to its attributes and password
 * (idempotent; run at every start). A role of that name not created by this engine is refused:
 * it may belong to a person or another service on an external server.
 * The platform role is made a member (to set the role as owner of the database and its objects,
 * which PostgreSQL allows only to members); the app role is a member of nothing.
 */
export async function ensureAppRole (admin: Sql, role: AppRole): Promise<void> {
  const ident = quoteIdent(role.name)
  const verifier = scramVerifier(role.password)
  await admin.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${ROLE_LOCK})`
    const existing = await roleRow(tx, role.name)
    if (existing === undefined) {
      // DDL takes no bind parameters: the name passed NAME_RE, the verifier is base64 and `$:`.
      await tx.unsafe(`CREATE ROLE ${ident} LOGIN PASSWORD '${verifier}'`)
      await tx.unsafe(`COMMENT ON ROLE ${ident} IS '${ROLE_COMMENT}'`)
    } else if (existing.comment !== ROLE_COMMENT) {
      throw new Error(`PostgreSQL role ${role.name} already exists and was not created by Rocket; rename or drop it`)
    } else {
      await tx.unsafe(`ALTER ROLE ${ident} LOGIN NOCREATEDB NOCREATEROLE INHERIT ${privilegedAttributes(existing)} PASSWORD '${verifier}'`)
      const memberOf = await tx<Array<{ r: string }>>`SELECT g.rolname AS r FROM pg_catalog.pg_auth_members m
        JOIN pg_catalog.pg_roles g ON g.oid = m.roleid JOIN pg_catalog.pg_roles u ON u.oid = m.member WHERE u.rolname = ${role.name}`
      for (const { r } of memberOf) await tx.unsafe(`REVOKE ${quoteIdent(r)} FROM ${ident} CASCADE`)
    }
    if (!await isSuperuser(tx)) {
      const { grantOptions } = await detectCapabilities(tx)
      await tx.unsafe(`GRANT ${ident} TO CURRENT_USER${grantOptions ? ' WITH INHERIT TRUE, SET TRUE' : ''}`)
    }
  })
}

/** Drops an app's role once its database is gone (it then owns nothing). Only roles of ours. */
export async function dropAppRole (admin: Sql, name: string): Promise<void> {
  await admin.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${ROLE_LOCK})`
    const existing = await roleRow(tx, name)
    if (existing?.comment === ROLE_COMMENT) await tx.unsafe(`DROP ROLE ${quoteIdent(name)}`)
  })
}

/**
 * An external server's platform role must be able to create roles and databases (a superuser
 * can). Checked at boot so a missing privilege is named at once, not at the first app creation.
 */
export async function requireRoleManagement (sql: Sql): Promise<void> {
  const [row] = await sql<Array<{ name: string, s: boolean, cr: boolean, cd: boolean }>>`
    SELECT rolname AS name, rolsuper AS s, rolcreaterole AS cr, rolcreatedb AS cd FROM pg_catalog.pg_roles WHERE rolname = current_user`
  if (row === undefined || row.s || (row.cr && row.cd)) return
  const missing = [row.cr ? null : 'CREATEROLE', row.cd ? null : 'CREATEDB'].filter((x) => x !== null).join(' and ')
  throw new Error(`The PostgreSQL role of DATABASE_URL (${row.name}) lacks ${missing}: Rocket gives each app its own role and database. ` +
    `Run ALTER ROLE ${quoteIdent(row.name)} CREATEROLE CREATEDB as a superuser (or use a superuser URL).`)
}
