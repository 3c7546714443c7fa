import { createHash, randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import t from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { withDatabase } from '../../lib/db/connection.js'
import { dropDatabases, testServerUrl } from '../db-helper.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

type Row = Record<string, unknown>

async function createKey (a: TestApp, payload: Row): Promise<{ id: string, key: string, body: Row }> {
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/api-keys', payload })
  if (res.statusCode !== 201) throw new Error(res.body)
  const body = res.json().data as Row
  return { id: body.id as string, key: body.key as string, body }
}

/** `inject` with an API key in `X-API-Key` (or as a bearer token with `bearer: true`). */
function withKey (a: TestApp, server: Awaited<ReturnType<typeof build>>, key: string, bearer = false) {
  return async (opts: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: Row }) => await server.inject({
    method: opts.method ?? 'GET',
    url: `/api/${a.name}${opts.url}`,
    headers: bearer ? { authorization: `Bearer ${key}` } : { 'x-api-key': key },
    ...(opts.payload !== undefined ? { payload: opts.payload } : {})
  })
}

async function noteSchema (a: TestApp): Promise<void> {
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', fields: [{ name: 'id', type: 'uuid' }, { name: 'body', type: 'string' }, { name: 'owner_id', type: 'uuid' }] } })
  if (res.statusCode !== 201) throw new Error(res.body)
}

t.test('create shows the key once; list and get never show it', async (t) => {
  const server = await build(t, { apiKeyUsageFlushMs: 50 })
  const a = await createTestApp(server)
  const { id, key, body } = await createKey(a, { name: 'etl', roles: ['reader'] })
  t.match(key, /^rk_[A-Za-z0-9_-]{43}$/, 'rk_ + 32 bytes base64url')
  t.match(body, { name: 'etl', roles: ['reader'], status: 'active', expires_at: null, last_used_at: null, prefix: key.slice(0, 9) })
  t.ok(typeof body.created_at === 'string')
  const listed = await a.as(a.admin, { url: '/_admin/api-keys' })
  t.equal(listed.statusCode, 200)
  t.notOk(listed.body.includes(key), 'the list does not hold the key')
  t.same((listed.json().data as Row[]).map((k) => k.id), [id])
  const one = await a.as(a.admin, { url: `/_admin/api-keys/${id}` })
  t.equal(one.statusCode, 200)
  t.notOk('key' in one.json().data, 'get has no key')
  const stored = await server.platform.apps.get(a.name)
  if (stored === null || stored === undefined) throw new Error('app not open')
  const rows = await stored.sql<Row[]>`SELECT key_hash FROM _api_keys WHERE id = ${id}`
  t.equal(rows[0]?.key_hash, createHash('sha256').update(key).digest('hex'), 'stored as its SHA-256')
  expectError(t, await a.as(a.admin, { url: '/_admin/api-keys/00000000-0000-0000-0000-000000000000' }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { url: '/_admin/api-keys/nope' }), 404, 'NOT_FOUND')
})

t.test('a key authenticates with its roles, as X-API-Key or Bearer, with $user.id = key id', async (t) => {
  const server = await build(t)
  const a = await createTestApp(server)
  await noteSchema(a)
  const { id, key } = await createKey(a, { name: 'bot', roles: ['bot'] })
  for (const p of [
    { entity: 'note', action: 'read', roles: ['bot'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] },
    { entity: 'note', action: 'create', roles: ['bot'], conditions: [] }
  ]) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: p })).statusCode, 201)
  const viaHeader = withKey(a, server, key)
  const viaBearer = withKey(a, server, key, true)
  const mine = await viaHeader({ method: 'POST', url: '/note', payload: { body: 'mine', owner_id: id } })
  t.equal(mine.statusCode, 201, mine.body)
  t.equal((await viaBearer({ method: 'POST', url: '/note', payload: { body: 'other', owner_id: randomUuid() } })).statusCode, 201)
  const listed = await viaBearer({ url: '/note' })
  t.equal(listed.statusCode, 200)
  t.same((listed.json().data as Row[]).map((r) => r.body), ['mine'], 'only rows whose owner_id is the key id')
  expectError(t, await viaHeader({ url: '/_admin/entities' }), 403, 'FORBIDDEN')
  const audit = await a.as(a.admin, { url: '/_admin/audit?entity=note' })
  t.ok((audit.json().data as Row[]).every((r) => r.user_id === id), 'writes are attributed to the key')
  // An admin key acts as an admin.
  const admin = await createKey(a, { name: 'ops', roles: ['admin'] })
  t.equal((await withKey(a, server, admin.key)({ url: '/_admin/entities' })).statusCode, 200)
})

function randomUuid (): string {
  return (globalThis.crypto as Crypto).randomUUID()
}

t.test('unknown, malformed, revoked and expired keys are 401; keys never open platform routes or another app', async (t) => {
  const server = await build(t)
  const a = await createTestApp(server)
  const b = await createTestApp(server)
  const { id, key } = await createKey(a, { name: 'short', roles: ['admin'] })
  const use = withKey(a, server, key)
  t.equal((await use({ url: '/_admin/api-keys' })).statusCode, 200, 'valid before revocation (and now cached)')
  expectError(t, await withKey(a, server, `rk_${randomBytes(32).toString('base64url')}`)({ url: '/_admin/entities' }), 401, 'UNAUTHORIZED')
  expectError(t, await withKey(a, server, 'rk_short')({ url: '/_admin/entities' }), 401, 'UNAUTHORIZED')
  expectError(t, await withKey(b, server, key)({ url: '/_admin/entities' }), 401, 'UNAUTHORIZED')
  const platform = await server.inject({ url: '/api/_platform/apps', headers: { 'x-api-key': key } })
  t.equal(platform.statusCode, 401, 'X-API-Key is no platform credential')
  expectError(t, await server.inject({ url: '/api/_platform/apps', headers: { authorization: `Bearer ${key}` } }), 401, 'UNAUTHORIZED')

  t.equal((await a.as(a.admin, { method: 'DELETE', url: `/_admin/api-keys/${id}` })).statusCode, 200)
  const revoked = expectError(t, await use({ url: '/_admin/entities' }), 401, 'UNAUTHORIZED')
  t.match(revoked.message, /revoked/)
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: `/_admin/api-keys/${id}` }), 404, 'NOT_FOUND')
  t.same((await a.as(a.admin, { url: '/_admin/api-keys' })).json().data, [], 'revoked keys leave the default list')
  t.match((await a.as(a.admin, { url: '/_admin/api-keys?status=revoked' })).json().data, [{ id, status: 'revoked' }])

  const soon = await createKey(a, { name: 'soon', roles: ['admin'], expires_at: new Date(Date.now() + 1500).toISOString() })
  t.equal((await withKey(a, server, soon.key)({ url: '/_admin/entities' })).statusCode, 200, 'valid until it expires (and cached)')
  await new Promise((resolve) => setTimeout(resolve, 1600))
  const expired = expectError(t, await withKey(a, server, soon.key)({ url: '/_admin/entities' }), 401, 'UNAUTHORIZED')
  t.match(expired.message, /expired/, 'the cached expiry is checked on every use')
  t.match((await a.as(a.admin, { url: `/_admin/api-keys/${soon.id}` })).json().data, { status: 'expired' })
})

t.test('bad bodies are 422 and create nothing', async (t) => {
  const server = await build(t)
  const a = await createTestApp(server)
  const cases: Row[] = [
    { name: 'x', roles: ['r'], expires_at: new Date(Date.now() - 1000).toISOString() },
    { name: 'x' },
    { name: '', roles: [] },
    { name: '   ', roles: [] },
    { name: 'x', roles: 'admin' },
    { name: 'x', roles: [], expires_at: 'tomorrow' },
    { name: 'x', roles: [], key: 'rk_mine' }
  ]
  for (const payload of cases) {
    const err = expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/api-keys', payload }), 422, 'VALIDATION_FAILED')
    t.ok(Array.isArray(err.details) && err.details.length > 0, `details for ${JSON.stringify(payload)}`)
  }
  const past = expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/api-keys', payload: cases[0] }), 422, 'VALIDATION_FAILED')
  t.match(past.details, [{ field: 'expires_at', rule: 'future' }])
  t.same((await a.as(a.admin, { url: '/_admin/api-keys?status=active' })).json().data, [], 'nothing created')
  expectError(t, await a.as(a.admin, { url: '/_admin/api-keys?status=gone' }), 400, 'INVALID_PAYLOAD')
  // Only admins manage keys.
  const user = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'm@example.com', password: 'password-123', roles: ['member'] } })
  t.equal(user.statusCode, 201)
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'm@example.com', password: 'password-123' } })
  expectError(t, await a.as(login.json().data.access_token, { method: 'POST', url: '/_admin/api-keys', payload: { name: 'x', roles: ['admin'] } }), 403, 'FORBIDDEN')
})

t.test('last_used_at is recorded in batches', async (t) => {
  const server = await build(t, { apiKeyUsageFlushMs: 50 })
  const a = await createTestApp(server)
  const { id, key } = await createKey(a, { name: 'used', roles: ['admin'] })
  const before = Date.now()
  for (let i = 0; i < 5; i++) t.equal((await withKey(a, server, key)({ url: '/_admin/entities' })).statusCode, 200)
  let seen: string | null = null
  for (let i = 0; i < 40 && seen === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    seen = (await a.as(a.admin, { url: `/_admin/api-keys/${id}` })).json().data.last_used_at as string | null
  }
  t.ok(seen !== null && Date.parse(seen) >= before - 1000, `last_used_at set (${String(seen)})`)
})

t.test('a revocation in one process is honoured by another within a second; keys never reach the log', async (t) => {
  const mgmt = `rocket_mgmt_${randomBytes(4).toString('hex')}`
  const server = await testServerUrl()
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb() } })
  const config = loadConfig({ LOG_LEVEL: 'info' }, { databaseUrl: withDatabase(server, mgmt) })
  const one = await buildApp({ config, logger: { level: 'info', stream } })
  const two = await buildApp({ config, logger: { level: 'info', stream } })
  t.teardown(async () => {
    const dbs = await one.platform.sql<Array<{ db_name: string }>>`SELECT db_name FROM _apps`
    await one.close()
    await two.close()
    await dropDatabases(server, [...dbs.map((d) => d.db_name), mgmt])
  })
  const a = await createTestApp(one)
  const { id, key } = await createKey(a, { name: 'x', roles: ['admin'] })
  t.equal((await withKey(a, two, key)({ url: '/_admin/entities' })).statusCode, 200, 'the second process caches the key')
  t.equal((await withKey(a, two, key, true)({ url: '/_admin/entities' })).statusCode, 200)
  t.equal((await a.as(a.admin, { method: 'DELETE', url: `/_admin/api-keys/${id}` })).statusCode, 200)
  const started = Date.now()
  let status = 200
  while (status === 200 && Date.now() - started < 3000) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    status = (await withKey(a, two, key)({ url: '/_admin/entities' })).statusCode
  }
  t.equal(status, 401, 'refused by the other process')
  t.ok(Date.now() - started < 1000, `within a second (${Date.now() - started} ms)`)
  t.ok(lines.length > 0, 'requests were logged')
  t.notOk(lines.some((l) => l.includes(key) || l.includes(key.slice(3))), 'no log line holds the key')
})

t.test('a key opens every app route area a user token does (files, events, workflows, UI configs, OpenAPI)', async (t) => {
  const server = await build(t)
  const a = await createTestApp(server)
  const { id, key } = await createKey(a, { name: 'everywhere', roles: ['bot'] })
  const viaKey = withKey(a, server, key)
  const boundary = '----key-test-boundary'
  const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="k.txt"\r\nContent-Type: text/plain\r\n\r\nkey upload\r\n--${boundary}--\r\n`)
  const uploaded = await server.inject({ method: 'POST', url: `/api/${a.name}/_files/upload`, headers: { 'x-api-key': key, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body })
  t.equal(uploaded.statusCode, 201, uploaded.body)
  const fileId = (uploaded.json().data as Row).id as string
  const ctx = await server.platform.apps.get(a.name)
  const [file] = await ctx!.sql<Array<{ uploaded_by: string }>>`SELECT uploaded_by FROM _files WHERE id = ${fileId}`
  t.equal(file?.uploaded_by, id, 'uploaded by the key')
  const read = await viaKey({ url: `/_files/${fileId}` })
  t.equal(read.statusCode, 200)
  t.equal(read.body, 'key upload')
  const event = await viaKey({ method: 'POST', url: '/_events', payload: { event_type: 'bot.ran' } })
  t.equal(event.statusCode, 202, event.body)
  t.equal((await viaKey({ url: '/_workflows/pending' })).statusCode, 200)
  t.equal((await viaKey({ url: '/_ui/configs' })).statusCode, 200)
  t.equal((await viaKey({ url: '/_openapi.json' })).statusCode, 200)
  expectError(t, await viaKey({ url: '/_files' }), 403, 'FORBIDDEN')
  expectError(t, await viaKey({ method: 'POST', url: '/auth/request-verification' }), 403, 'FORBIDDEN')
})
