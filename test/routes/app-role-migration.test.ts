import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { connect, withDatabase } from '../../lib/db/connection.js'
import { indexName } from '../../lib/ddl/index-names.js'
import { stopTestServer, testServerUrl } from '../db-helper.js'
import { createTestApp, expectError } from '../helper.js'

t.teardown(stopTestServer)

type Row = Record<string, unknown>

/**
 * Turns an app into what it was before apps had roles and hashed index names: its database and
 * every object owned by the platform (superuser) role, open to PUBLIC, no app role; foo's unique
 * index under the old name `foo_bar_baz_key`, which foo_bar.baz also wanted and so never got.
 */
async function makeLegacy (server: string, dbName: string): Promise<void> {
  const app = connect(withDatabase(server, dbName), { max: 1 })
  try {
    await app.unsafe(`ALTER INDEX public."${indexName('foo', ['bar_baz'], 'key')}" RENAME TO foo_bar_baz_key`)
    await app.unsafe(`DROP INDEX public."${indexName('foo_bar', ['baz'], 'key')}"`)
    await app.unsafe(`ALTER INDEX public."${indexName('foo', ['owner_id'], 'idx')}" RENAME TO foo_owner_id_idx`)
    await app.unsafe(`REASSIGN OWNED BY "${dbName}" TO current_user`)
    await app.unsafe(`DROP OWNED BY "${dbName}"`)
    await app.unsafe(`GRANT CONNECT, TEMPORARY ON DATABASE "${dbName}" TO PUBLIC`)
    // Objects of kinds Rocket does not create itself, owned by the platform role too.
    await app.unsafe('CREATE FUNCTION public.answer() RETURNS int LANGUAGE sql AS \'SELECT 42\'')
    await app.unsafe('CREATE SEQUENCE public.counter')
    await app.unsafe('CREATE VIEW public.foo_view AS SELECT id FROM public.foo')
    await app.unsafe('CREATE TYPE public.mood AS ENUM (\'ok\')')
  } finally { await app.end() }
  const admin = connect(withDatabase(server, 'postgres'), { max: 1 })
  try { await admin.unsafe(`DROP ROLE "${dbName}"`) } finally { await admin.end() }
}

t.test('an app created before app roles is moved to its own role at startup and keeps serving', async (t) => {
  const server = await testServerUrl()
  const mgmt = `rocket_mgmt_${randomBytes(4).toString('hex')}`
  const storagePath = join(tmpdir(), `rocket-files-${mgmt}`)
  t.teardown(async () => { await rm(storagePath, { recursive: true, force: true }) })
  const config = loadConfig({ LOG_LEVEL: 'silent' }, { databaseUrl: withDatabase(server, mgmt), storagePath })

  const first = await buildApp({ config })
  const a = await createTestApp(first)
  const dbName = `rocket_${a.name}`
  const post = async (url: string, payload: Row): Promise<Awaited<ReturnType<typeof a.as>>> => await a.as(a.admin, { method: 'POST', url, payload })
  t.equal((await post('/_admin/entities', { name: 'owner', fields: [{ name: 'id', type: 'uuid' }] })).statusCode, 201)
  t.equal((await post('/_admin/entities', { name: 'foo', fields: [{ name: 'id', type: 'uuid' }, { name: 'bar_baz', type: 'string', unique: true }, { name: 'owner_id', type: 'uuid' }] })).statusCode, 201)
  t.equal((await post('/_admin/entities', { name: 'foo_bar', fields: [{ name: 'id', type: 'int' }, { name: 'baz', type: 'string', unique: true }], primary_key: { field: 'id', type: 'int', generated: true } })).statusCode, 201)
  t.equal((await post('/_admin/relations', { name: 'foos', type: 'one_to_many', source: 'owner', target: 'foo', target_key: 'owner_id' })).statusCode, 201)
  t.equal((await post('/foo', { bar_baz: 'kept' })).statusCode, 201)
  t.equal((await post('/foo_bar', { baz: 'one' })).statusCode, 201)
  await first.close()
  await makeLegacy(server, dbName)

  const second = await buildApp({ config })
  t.teardown(async () => { await second.close() })
  const inject = async (method: 'GET' | 'POST', url: string, payload?: Row): Promise<Awaited<ReturnType<typeof second.inject>>> =>
    await second.inject({ method, url: `/api/${a.name}${url}`, headers: { authorization: `Bearer ${a.admin}` }, ...(payload === undefined ? {} : { payload }) })
  t.match((await inject('GET', '/foo')).json(), { data: [{ bar_baz: 'kept' }] }, 'old records still served')
  t.equal((await inject('POST', '/foo_bar', { baz: 'two' })).statusCode, 201, 'writes work (identity sequence moved with its table)')
  expectError(t, await inject('POST', '/foo', { bar_baz: 'kept' }), 409, 'CONFLICT')
  expectError(t, await inject('POST', '/foo_bar', { baz: 'one' }), 409, 'CONFLICT')

  const admin = connect(withDatabase(server, dbName), { max: 1 })
  t.teardown(async () => { await admin.end() })
  const [db] = await admin<Array<{ owner: string, public: boolean }>>`
    SELECT pg_get_userbyid(datdba) AS owner, has_database_privilege('public', datname, 'CONNECT') AS public FROM pg_database WHERE datname = ${dbName}`
  t.same(db, { owner: dbName, public: false }, 'database owned by the app role, closed to PUBLIC')
  const foreign = await admin<Row[]>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relowner <> ${dbName}::regrole
    UNION ALL SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.proowner <> ${dbName}::regrole
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    UNION ALL SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e' AND t.typowner <> ${dbName}::regrole`
  t.same(foreign, [], 'tables, indexes, sequences, views, functions and types all belong to the app role')
  const indexes = await admin<Array<{ table: string, name: string }>>`
    SELECT tablename AS table, indexname AS name FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%pkey' AND tablename LIKE 'foo%' ORDER BY 1, 2`
  t.same(indexes, [
    { table: 'foo', name: indexName('foo', ['bar_baz'], 'key') },
    { table: 'foo', name: indexName('foo', ['owner_id'], 'idx') },
    { table: 'foo_bar', name: indexName('foo_bar', ['baz'], 'key') }
  ].sort((x, y) => x.table.localeCompare(y.table) || x.name.localeCompare(y.name)), 'old index names renamed, the index foo_bar.baz never had created')

  await second.platform.apps.migrateAll()
  t.equal((await inject('GET', '/foo_bar')).json().data.length, 2, 'a second migration run changes nothing')
})
