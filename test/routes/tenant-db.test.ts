import postgres from 'postgres'
import t from 'tap'
import { appDatabaseUrl } from '../../lib/apps/app-database.js'
import { connect, databaseOf, withDatabase } from '../../lib/db/connection.js'
import { importDoc } from '../fixtures/schema-import.js'
import { testServerUrl } from '../db-helper.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

type Row = Record<string, unknown>

async function entityNames (a: TestApp): Promise<string[]> {
  const res = await a.as(a.admin, { url: '/_admin/entities' })
  return (res.json() as { data: Array<{ name: string }> }).data.map((e) => e.name)
}

/** Runs `work` on a one-connection pool logged in as `user` (closed afterwards). */
async function as<T> (url: string, work: (sql: ReturnType<typeof connect>) => Promise<T>): Promise<T> {
  const sql = connect(url, { max: 1 })
  try { return await work(sql) } finally { await sql.end() }
}

/** The SQLSTATE a query or connection attempt fails with (null when it succeeds). */
async function failure (url: string, query: string): Promise<string | null> {
  try {
    await as(url, async (sql) => await sql.unsafe(query))
    return null
  } catch (err) {
    return err instanceof postgres.PostgresError ? err.code : String(err)
  }
}

t.test('catalog names are refused for tables and join tables (422, nothing created)', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const fields = [{ name: 'id', type: 'uuid' }, { name: 'rolname', type: 'string' }]
  for (const table of ['pg_authid', 'pg_database', 'pg_stat_activity', 'pg_hba_file_rules']) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'roles', table, fields } })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.match(res.json(), { error: { details: [{ field: 'table', rule: 'reserved' }] } }, `${table} refused`)
  }
  // The table defaults to the entity's name: that path is closed too.
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'pg_roles', fields } }), 422, 'VALIDATION_FAILED')
  t.same(await entityNames(a), [], 'no entity created')
  t.equal((await a.as(a.admin, { url: '/roles' })).statusCode, 404, 'no route to the catalog')

  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', fields } })).statusCode, 201)
  const renamed = await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/note', payload: { name: 'note', table: 'pg_authid', fields } })
  expectError(t, renamed, 422, 'VALIDATION_FAILED')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'tag', fields: [{ name: 'id', type: 'uuid' }] } })).statusCode, 201)

  const rel = { name: 'tags', type: 'many_to_many', source: 'note', target: 'tag', join_table: 'pg_x' }
  const relRes = await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: rel })
  expectError(t, relRes, 422, 'VALIDATION_FAILED')
  t.match(relRes.json(), { error: { details: [{ field: 'join_table', rule: 'reserved' }] } })
  // Without join_table the relation's name is the join table's.
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: { ...rel, name: 'pg_tags', join_table: undefined } }), 422, 'VALIDATION_FAILED')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: { ...rel, join_table: 'note_tags' } })).statusCode, 201)
  expectError(t, await a.as(a.admin, { method: 'PUT', url: '/_admin/relations/tags', payload: { join_table: 'pg_authid' } }), 422, 'VALIDATION_FAILED')
  t.equal((await a.as(a.admin, { url: '/_admin/relations' })).json().data.length, 1, 'only the valid relation exists')

  const report = await importDoc(t, a, { version: 1, entities: [{ name: 'leak', table: 'pg_authid', fields }], relations: [{ ...rel, name: 'more', join_table: 'pg_y' }] })
  t.match(report.entities, { created: [], errors: [{ details: [{ field: 'table', rule: 'reserved' }] }] }, 'import reports the entity')
  t.match(report.relations, { created: [], errors: [{ details: [{ field: 'join_table', rule: 'reserved' }] }] }, 'import reports the relation')
  t.same((await entityNames(a)).sort(), ['note', 'tag'])

  const ctx = await app.platform.apps.get(a.name)
  if (ctx === null) throw new Error('no app')
  const tables = await ctx.sql<Row[]>`SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relname LIKE 'pg\\_%'`
  t.same(tables, [], 'no pg_ relation was created in the app database')
})

t.test('dynamic SQL names public tables: a legacy pg_ table is the tenant\'s own, not the catalog', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const ctx = await app.platform.apps.get(a.name)
  if (ctx === null) throw new Error('no app')
  // Metadata stored before pg_ names were refused: an entity mapped onto pg_roles.
  const def = { name: 'roles', table: 'pg_roles', primary_key: { field: 'id', type: 'uuid', generated: true }, soft_delete: false, fields: [{ name: 'id', type: 'uuid' }, { name: 'rolname', type: 'string' }] }
  await ctx.sql`CREATE TABLE public.pg_roles (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), rolname text)`
  await ctx.sql`INSERT INTO _entities (name, table_name, definition) VALUES ('roles', 'pg_roles', ${ctx.sql.json(def)})`
  await ctx.reload()
  t.same((await a.as(a.admin, { url: '/roles' })).json().data, [], 'reads the empty tenant table, not pg_catalog.pg_roles')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/roles', payload: { rolname: 'mine' } })).statusCode, 201)
  t.match((await a.as(a.admin, { url: '/roles' })).json().data, [{ rolname: 'mine' }], 'writes land in the tenant table')
})

t.test('each app pool is its own non-superuser role, confined to its database', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'iso_a')
  const b = await createTestApp(app, 'iso_b')
  const server = await testServerUrl()
  const { apps, config } = app.platform
  const ctxA = await apps.get(a.name)
  if (ctxA === null) throw new Error('no app')
  const roleA = apps.roleOf(ctxA.dbName)
  const [me] = await ctxA.sql<Array<{ user: string, super: boolean, createrole: boolean, createdb: boolean, members: number }>>`
    SELECT current_user AS user, rolsuper AS super, rolcreaterole AS createrole, rolcreatedb AS createdb,
      (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS members
    FROM pg_roles r WHERE rolname = current_user`
  t.same(me, { user: roleA.name, super: false, createrole: false, createdb: false, members: 0 }, 'the pool logs in as the app role, unprivileged')
  t.equal(roleA.name, ctxA.dbName, 'role named after the database')
  const [owner] = await ctxA.sql<Array<{ db: string, tables: number }>>`
    SELECT pg_get_userbyid(datdba) AS db, (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND tableowner <> current_user) AS tables
    FROM pg_database WHERE datname = current_database()`
  t.same(owner, { db: roleA.name, tables: 0 }, 'it owns its database and every table in it')

  const ownUrl = appDatabaseUrl(server, ctxA.dbName, roleA)
  t.equal(await failure(ownUrl, 'SELECT 1'), null, 'connects to its own database')
  t.equal(await failure(ownUrl, 'SELECT rolpassword FROM pg_authid'), '42501', 'cannot read pg_authid')
  t.equal(await failure(ownUrl, 'SELECT * FROM pg_hba_file_rules'), '42501', 'cannot read pg_hba_file_rules')
  t.equal(await failure(ownUrl, "SELECT pg_read_file('postgresql.conf')"), '42501', 'cannot read server files')
  t.equal(await failure(ownUrl, 'CREATE ROLE x'), '42501', 'cannot create roles')
  t.equal(await failure(ownUrl, 'CREATE DATABASE x'), '42501', 'cannot create databases')
  t.equal(await failure(appDatabaseUrl(server, `rocket_${b.name}`, roleA), 'SELECT 1'), '42501', 'cannot connect to another app\'s database')
  t.equal(await failure(appDatabaseUrl(server, databaseOf(config.databaseUrl ?? ''), roleA), 'SELECT 1'), '42501', 'cannot connect to the management database')
  t.equal(await failure(appDatabaseUrl(server, ctxA.dbName, { ...roleA, password: 'guess' }), 'SELECT 1'), '28P01', 'a wrong password is refused')
  const activity = await as(ownUrl, async (sql) => await sql<Array<{ query: string }>>`SELECT query FROM pg_stat_activity WHERE datname = ${`rocket_${b.name}`} AND query <> ''`)
  t.ok(activity.every((r) => r.query === '<insufficient privilege>'), 'other tenants\' SQL is not visible')

  const admin = connect(withDatabase(server, 'postgres'), { max: 1 })
  t.teardown(async () => { await admin.end() })
  if ((process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? '') === '') {
    const methods = await admin<Array<{ m: string }>>`SELECT DISTINCT auth_method AS m FROM pg_hba_file_rules`
    t.same(methods, [{ m: 'scram-sha-256' }], 'the embedded server asks every login for its password')
  }
  const roleB = apps.roleOf(`rocket_${b.name}`).name
  t.equal((await admin`SELECT 1 FROM pg_roles WHERE rolname = ${roleB}`).length, 1)
  t.equal((await app.inject({ method: 'DELETE', url: `/api/_platform/apps/${b.name}`, headers: { authorization: `Bearer ${b.platform}` } })).statusCode, 200)
  t.equal((await admin`SELECT 1 FROM pg_roles WHERE rolname = ${roleB}`).length, 0, 'deleting the app drops its role')
})
