import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { connect, withDatabase, type Sql } from '../../lib/db/connection.js'
import { freePort, startEmbeddedTestServer } from '../db-helper.js'
import { expectError, platformToken, uniqueName } from '../helper.js'

// Two PostgreSQL servers of this file's own (not the run's shared one): the management server
// `default` (A) and a second one (B) registered through the API (docs/reference.md, "Database servers").
const serverA = await startEmbeddedTestServer()
const serverB = await startEmbeddedTestServer()
const superA = connect(serverA.url, { max: 1 })
const superB = connect(serverB.url, { max: 1 })
const passwordOf = (url: string): string => decodeURIComponent(new URL(url).password)

const logged: string[] = []
const logStream = new Writable({ write (chunk: Buffer, _enc, done) { logged.push(chunk.toString()); done() } })
const mgmtUrl = withDatabase(serverA.url, `rocket_mgmt_${randomBytes(4).toString('hex')}`)
const config = loadConfig({ LOG_LEVEL: 'info' }, { databaseUrl: mgmtUrl })
const one = await buildApp({ config, logger: { level: 'info', stream: logStream } })
const two = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }, { databaseUrl: mgmtUrl }) })
const token = await platformToken(one)

t.teardown(async () => {
  await one.close()
  await two.close()
  await superA.end()
  await superB.end()
  await serverA.stop()
  await serverB.stop()
})

async function platform (app: FastifyInstance, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return await app.inject({ method, url: `/api/_platform${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) })
}

async function databaseOn (sql: Sql, name: string): Promise<{ exists: boolean, publicConnect: boolean }> {
  const rows = await sql<Array<{ acl: string | null }>>`SELECT datacl::text AS acl FROM pg_database WHERE datname = ${name}`
  const acl = rows[0]?.acl ?? ''
  // PUBLIC's entry in an ACL is `=<privileges>/owner`; the default (NULL ACL) grants it CONNECT.
  return { exists: rows.length > 0, publicConnect: rows.length > 0 && (rows[0]?.acl === null || /(^|[{,])=[A-Za-z]*c/.test(acl)) }
}

async function roleOn (sql: Sql, name: string): Promise<boolean> {
  return (await sql`SELECT 1 FROM pg_roles WHERE rolname = ${name}`).length > 0
}

interface ServerJson { name: string, url: string, replicas: string[], apps: number }

t.test('the management server is listed as default, its password masked', async (t) => {
  const res = await platform(one, 'GET', '/servers')
  t.equal(res.statusCode, 200)
  const data = (res.json() as { data: ServerJson[] }).data
  t.same(data.map((s) => s.name), ['default'])
  t.match(data[0]?.url, /^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\//)
  t.notOk(res.body.includes(passwordOf(serverA.url)), 'no password in the body')
  t.equal((await one.inject({ method: 'GET', url: '/api/_platform/servers' })).statusCode, 401, 'platform token required')
})

t.test('registering a server: checked, stored masked, duplicates 409, unreachable 422', async (t) => {
  const bad = await platform(one, 'POST', '/servers', { name: 'b', url: serverB.url, extra: 1 })
  expectError(t, bad, 422, 'VALIDATION_FAILED')
  expectError(t, await platform(one, 'POST', '/servers', { name: 'B!', url: serverB.url }), 422, 'VALIDATION_FAILED')
  expectError(t, await platform(one, 'POST', '/servers', { name: 'b', url: 'mysql://x@y/z' }), 422, 'VALIDATION_FAILED')

  const deadUrl = `postgres://postgres:s3cret-pw@127.0.0.1:${await freePort()}/postgres`
  const dead = await platform(one, 'POST', '/servers', { name: 'dead', url: deadUrl })
  const deadError = expectError(t, dead, 422, 'VALIDATION_FAILED')
  t.match(deadError.details, [{ field: 'url', rule: 'reachable' }])
  t.notOk(dead.body.includes('s3cret-pw'), 'the password is not echoed')

  const wrongPassword = new URL(serverB.url)
  wrongPassword.password = 'not-the-password'
  const refused = expectError(t, await platform(one, 'POST', '/servers', { name: 'b', url: wrongPassword.toString() }), 422, 'VALIDATION_FAILED')
  t.match(refused.details, [{ field: 'url', rule: 'reachable', message: /refused the login/ }])

  const notStandby = expectError(t, await platform(one, 'POST', '/servers', { name: 'b', url: serverB.url, replicas: [serverA.url] }), 422, 'VALIDATION_FAILED')
  t.match(notStandby.details, [{ field: 'replicas.0', rule: 'standby' }])

  const created = await platform(one, 'POST', '/servers', { name: 'b', url: serverB.url })
  t.equal(created.statusCode, 201, created.body)
  const body = created.json() as { data: ServerJson }
  t.same(Object.keys(body.data).sort(), ['apps', 'name', 'replicas', 'url'])
  t.equal(body.data.name, 'b')
  t.equal(body.data.apps, 0)
  t.same(body.data.replicas, [])
  t.match(body.data.url, /:\*\*\*@/)
  t.notOk(created.body.includes(passwordOf(serverB.url)))

  expectError(t, await platform(one, 'POST', '/servers', { name: 'b', url: serverB.url }), 409, 'CONFLICT')
  expectError(t, await platform(one, 'POST', '/servers', { name: 'default', url: serverB.url }), 409, 'CONFLICT')
  const stored = await one.platform.sql<Array<{ name: string }>>`SELECT name FROM _servers`
  t.same(stored.map((s) => s.name), ['b'], 'refused registrations left no row')
})

t.test('the other process learns of the new server within a second', async (t) => {
  const started = Date.now()
  let names: string[] = []
  while (Date.now() - started < 2000) {
    names = ((await platform(two, 'GET', '/servers')).json() as { data: ServerJson[] }).data.map((s) => s.name)
    if (names.includes('b')) break
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  t.same(names, ['default', 'b'])
  t.ok(Date.now() - started < 1000, `seen after ${Date.now() - started} ms`)
})

t.test('an app placed on server b lives there: database, role, rows; served by both processes; deleted there', async (t) => {
  const name = uniqueName('onb')
  const db = `rocket_${name}`
  const created = await platform(one, 'POST', '/apps', { name, server: 'b' })
  t.equal(created.statusCode, 201, created.body)
  t.equal((created.json() as { data: { server: string } }).data.server, 'b')
  t.same(await databaseOn(superB, db), { exists: true, publicConnect: false }, 'database on b, closed to PUBLIC')
  t.ok(await roleOn(superB, db), 'its role on b')
  t.same(await databaseOn(superA, db), { exists: false, publicConnect: false }, 'nothing on the management server')
  t.notOk(await roleOn(superA, db), 'no role on the management server')

  const details = await platform(one, 'GET', `/apps/${name}`)
  t.equal((details.json() as { data: { server: string } }).data.server, 'b')
  const listed = (await platform(one, 'GET', '/apps')).json() as { data: Array<{ name: string, server: string }> }
  t.equal(listed.data.find((a) => a.name === name)?.server, 'b')

  const login = await one.inject({ method: 'POST', url: `/api/${name}/auth/login`, payload: { email: 'admin@localhost', password: 'changeme' } })
  const admin = (login.json() as { data: { access_token: string } }).data.access_token
  const auth = { authorization: `Bearer ${admin}` }
  t.equal((await one.inject({ method: 'POST', url: `/api/${name}/_admin/entities`, headers: auth, payload: { name: 'note', fields: [{ name: 'id', type: 'uuid' }, { name: 'text', type: 'string' }] } })).statusCode, 201)
  const note = await one.inject({ method: 'POST', url: `/api/${name}/note`, headers: auth, payload: { text: 'on b' } })
  t.equal(note.statusCode, 201)
  const appB = connect(withDatabase(serverB.url, db), { max: 1 })
  t.teardown(async () => { await appB.end() })
  t.same(await appB`SELECT text FROM note`, [{ text: 'on b' }], 'the row is in the database on b')
  const viaTwo = await two.inject({ method: 'GET', url: `/api/${name}/note`, headers: auth })
  t.equal(viaTwo.statusCode, 200)
  t.same((viaTwo.json() as { data: Array<{ text: string }> }).data.map((r) => r.text), ['on b'], 'the other process reads it from b')

  await appB.end()
  t.equal((await platform(one, 'DELETE', `/apps/${name}`)).statusCode, 200)
  t.same(await databaseOn(superB, db), { exists: false, publicConnect: false }, 'dropped on b')
  t.notOk(await roleOn(superB, db), 'role dropped on b')
})

t.test('placement: the server with the fewest apps; an unknown server is 422 and leaves nothing', async (t) => {
  const onB = uniqueName('pb')
  t.equal((await platform(one, 'POST', '/apps', { name: onB, server: 'b' })).statusCode, 201)
  const auto = uniqueName('auto')
  const res = await platform(one, 'POST', '/apps', { name: auto })
  t.equal(res.statusCode, 201)
  t.equal((res.json() as { data: { server: string } }).data.server, 'default', 'default had fewer apps')
  t.ok((await databaseOn(superA, `rocket_${auto}`)).exists)
  const auto2 = uniqueName('auto')
  const tie = await platform(one, 'POST', '/apps', { name: auto2 })
  t.equal((tie.json() as { data: { server: string } }).data.server, 'default', 'a tie goes to default')
  const auto3 = uniqueName('auto')
  const third = await platform(one, 'POST', '/apps', { name: auto3 })
  t.equal((third.json() as { data: { server: string } }).data.server, 'b', 'then b, which has fewer')
  const counts = ((await platform(one, 'GET', '/servers')).json() as { data: ServerJson[] }).data
  t.same(counts.map((s) => [s.name, s.apps]), [['default', 2], ['b', 2]])

  const lost = uniqueName('lost')
  const unknown = expectError(t, await platform(one, 'POST', '/apps', { name: lost, server: 'nowhere' }), 422, 'VALIDATION_FAILED')
  t.match(unknown.details, [{ field: 'server', rule: 'exists' }])
  expectError(t, await platform(one, 'POST', '/apps', { name: lost, server: 7 }), 422, 'VALIDATION_FAILED')
  t.equal((await platform(one, 'GET', `/apps/${lost}`)).statusCode, 404, 'no app row')
  t.notOk((await databaseOn(superA, `rocket_${lost}`)).exists)
  t.notOk((await databaseOn(superB, `rocket_${lost}`)).exists)
  for (const n of [onB, auto, auto2, auto3]) t.equal((await platform(one, 'DELETE', `/apps/${n}`)).statusCode, 200)
})

t.test('a restarted process migrates and opens apps on their own servers', async (t) => {
  const name = uniqueName('again')
  t.equal((await platform(one, 'POST', '/apps', { name, server: 'b' })).statusCode, 201)
  const three = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }, { databaseUrl: mgmtUrl }) })
  t.teardown(async () => { await three.close() })
  const login = await three.inject({ method: 'POST', url: `/api/${name}/auth/login`, payload: { email: 'admin@localhost', password: 'changeme' } })
  t.equal(login.statusCode, 200, 'the new process finds the app on b')
  t.equal((await platform(one, 'DELETE', `/apps/${name}`)).statusCode, 200)
})

t.test('server passwords never reach the log', async (t) => {
  const text = logged.join('')
  t.ok(text.includes('database server registered'), 'the registration was logged')
  t.notOk(text.includes(passwordOf(serverB.url)), 'without the password of b')
  t.notOk(text.includes(passwordOf(serverA.url)), 'nor of the management server')
  t.notOk(text.includes('s3cret-pw'), 'nor of a refused URL')
})
