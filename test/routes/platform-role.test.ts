import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { connect, withDatabase } from '../../lib/db/connection.js'
import { stopTestServer, testServerUrl } from '../db-helper.js'
import { createTestApp } from '../helper.js'

t.teardown(stopTestServer)

/** A login role on the test server (dropped with its databases at teardown) and its URL. */
async function platformRole (t: Tap, attributes: string): Promise<string> {
  const server = await testServerUrl()
  const name = `rocket_platform_${randomBytes(4).toString('hex')}`
  const password = randomBytes(12).toString('hex')
  const admin = connect(withDatabase(server, 'postgres'), { max: 1 })
  await admin.unsafe(`CREATE ROLE "${name}" LOGIN ${attributes} PASSWORD '${password}'`)
  t.teardown(async () => {
    const owned = await admin<Array<{ d: string }>>`SELECT datname AS d FROM pg_database WHERE pg_get_userbyid(datdba) = ${name}`
    for (const { d } of owned) await admin.unsafe(`DROP DATABASE "${d}" WITH (FORCE)`)
    await admin.unsafe(`DROP ROLE IF EXISTS "${name}"`)
    await admin.end()
  })
  const url = new URL(withDatabase(server, `rocket_mgmt_${randomBytes(4).toString('hex')}`))
  url.username = name
  url.password = password
  return url.toString()
}
type Tap = import('tap').Test

t.test('an external platform role with CREATEROLE and CREATEDB (not superuser) runs apps under their own roles', async (t) => {
  const databaseUrl = await platformRole(t, 'CREATEROLE CREATEDB')
  const storagePath = join(tmpdir(), `rocket-files-${randomBytes(4).toString('hex')}`)
  t.teardown(async () => { await rm(storagePath, { recursive: true, force: true }) })
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }, { databaseUrl, storagePath }) })
  t.teardown(async () => { await app.close() })
  const a = await createTestApp(app)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', fields: [{ name: 'id', type: 'uuid' }, { name: 'text', type: 'string', unique: true }] } })).statusCode, 201)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/note', payload: { text: 'hello' } })).statusCode, 201)
  t.match((await a.as(a.admin, { url: '/note' })).json(), { data: [{ text: 'hello' }] })
  const ctx = await app.platform.apps.get(a.name)
  const [me] = await (ctx?.sql ?? app.platform.sql)<Array<{ user: string, owner: string }>>`
    SELECT current_user AS user, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()`
  t.same(me, { user: `rocket_${a.name}`, owner: `rocket_${a.name}` }, 'the app pool is the app role, owner of its database')
  // What every start does for existing apps: the role is re-asserted (ALTER ROLE, GRANT), ownership checked.
  await app.platform.apps.migrateAll()
  t.equal((await a.as(a.admin, { url: '/note' })).statusCode, 200, 'a restart\'s migration pass runs as the non-superuser platform role')
  const removed = await app.inject({ method: 'DELETE', url: `/api/_platform/apps/${a.name}`, headers: { authorization: `Bearer ${a.platform}` } })
  t.equal(removed.statusCode, 200, 'the platform role can drop the app\'s database and role')
  const [left] = await app.platform.sql<Array<{ dbs: number, roles: number }>>`
    SELECT (SELECT count(*)::int FROM pg_database WHERE datname = ${`rocket_${a.name}`}) AS dbs, (SELECT count(*)::int FROM pg_roles WHERE rolname = ${`rocket_${a.name}`}) AS roles`
  t.same(left, { dbs: 0, roles: 0 })
})

t.test('a platform role without CREATEROLE stops startup with a message saying what to grant', async (t) => {
  const databaseUrl = await platformRole(t, 'CREATEDB')
  await t.rejects(buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }, { databaseUrl }) }), /lacks CREATEROLE: .*ALTER ROLE "rocket_platform_[0-9a-f]+" CREATEROLE CREATEDB/)
})
