import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp } from '../../app.js'
import { removeOrphanFiles } from '../../lib/files/cleanup.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

// Issue 16 finding 9: per-user rate limits, per-app storage quota, orphan cleanup (docs/security.md).

const CONFIG = { eventsMaxPerMinute: 5, uploadsMaxPerMinute: 4, appStorageQuota: 10_000, maxFileSize: 8000 }
const BOUNDARY = '----rocket-quota-boundary'
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }

function multipart (filename: string, content: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    content, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)
  ])
}

async function post (a: TestApp, token: string, bytes: number): ReturnType<TestApp['as']> {
  return await a.as(token, { method: 'POST', url: '/_files/upload', headers: MULTIPART, payload: multipart(`f${bytes}.bin`, Buffer.alloc(bytes, 7)) })
}

async function userToken (a: TestApp, email: string): Promise<string> {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email, password: 'password-123', roles: ['staff'] } })
  if (created.statusCode !== 201) throw new Error(created.body)
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password: 'password-123' } })
  return login.json().data.access_token
}

function stored (app: FastifyInstance, a: TestApp): string[] {
  const dir = join(app.platform.config.storagePath, a.name)
  return existsSync(dir) ? readdirSync(dir).sort() : []
}

async function fileIds (app: FastifyInstance, a: TestApp): Promise<string[]> {
  const ctx = await app.platform.apps.get(a.name)
  return (await ctx!.sql<Array<{ id: string }>>`SELECT id FROM _files ORDER BY id`).map((r) => r.id)
}

t.test('POST /_events is limited per user: 429 RATE_LIMITED with Retry-After', async (t) => {
  const app = await build(t, CONFIG)
  const a = await createTestApp(app, 'evl')
  const [one, two] = [await userToken(a, 'one@x.test'), await userToken(a, 'two@x.test')]
  const emit = async (token: string): ReturnType<TestApp['as']> => await a.as(token, { method: 'POST', url: '/_events', payload: { event_type: 'page.view', metadata: { pad: 'x'.repeat(8000) } } })
  for (let i = 0; i < 5; i++) t.equal((await emit(one)).statusCode, 202, `event ${i + 1} accepted`)
  const limited = await emit(one)
  expectError(t, limited, 429, 'RATE_LIMITED')
  const wait = Number(limited.headers['retry-after'])
  t.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`)
  t.equal((await emit(two)).statusCode, 202, 'another user keeps their own budget')
})

t.test('uploads are limited per user', async (t) => {
  const app = await build(t, CONFIG)
  const a = await createTestApp(app, 'upl')
  const user = await userToken(a, 'up@x.test')
  for (let i = 0; i < 4; i++) t.equal((await post(a, user, 10)).statusCode, 201, `upload ${i + 1}`)
  const limited = await post(a, user, 10)
  expectError(t, limited, 429, 'RATE_LIMITED')
  t.ok(Number(limited.headers['retry-after']) >= 1, 'with Retry-After')
  t.equal((await fileIds(app, a)).length, 4, 'the refused upload left no row')
  t.equal(stored(app, a).length, 4, 'and no bytes')
})

t.test('APP_STORAGE_QUOTA counts existing files: 413 beyond, nothing kept', async (t) => {
  const app = await build(t, CONFIG)
  const a = await createTestApp(app, 'quo')
  const b = await createTestApp(app, 'quo')
  const first = await post(a, a.admin, 6000)
  t.equal(first.statusCode, 201)
  const over = await post(a, a.admin, 5000)
  expectError(t, over, 413, 'PAYLOAD_TOO_LARGE')
  t.match(over.json().error.message, /storage quota/)
  t.same(await fileIds(app, a), [first.json().data.id], 'no row for the refused upload')
  t.same(stored(app, a), [first.json().data.id], 'no bytes left on disk')
  t.equal((await post(b, b.admin, 5000)).statusCode, 201, 'the quota is per app')
  const exact = await post(a, a.admin, 4000)
  t.equal(exact.statusCode, 201, 'up to the quota exactly')
  expectError(t, await post(a, a.admin, 1), 413, 'PAYLOAD_TOO_LARGE')
  t.equal(stored(app, a).length, 2, 'a full app stores nothing more')
  const del = await a.as(a.admin, { method: 'DELETE', url: `/_files/${first.json().data.id as string}` })
  t.equal(del.statusCode, 200)
  // The admin has used up its uploads for this minute; another user of the app uploads.
  t.equal((await post(a, await userToken(a, 'q@x.test'), 10)).statusCode, 201, 'deleting a file frees its bytes')
})

t.test('files never linked to a record are removed after a day; linked and recent ones stay', async (t) => {
  const app = await build(t, CONFIG)
  const a = await createTestApp(app, 'orp')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'doc', table: 'docs', fields: [{ name: 'id', type: 'uuid' }, { name: 'attachment', type: 'file' }] } })).statusCode, 201)
  const ids: string[] = []
  for (let i = 0; i < 3; i++) ids.push((await post(a, a.admin, 100)).json().data.id)
  const [linked, orphan, recent] = ids as [string, string, string]
  t.equal((await a.as(a.admin, { method: 'POST', url: '/doc', payload: { attachment: linked } })).statusCode, 201)
  const ctx = await app.platform.apps.get(a.name)
  await ctx!.sql`UPDATE _files SET created_at = now() - interval '25 hours' WHERE id IN (${linked}, ${orphan})`
  const removed = await removeOrphanFiles(ctx!.sql, app.platform.files)
  t.equal(removed, 1, 'one file removed')
  t.same(await fileIds(app, a), [linked, recent].sort(), 'the old unlinked row is gone; linked and recent ones stay')
  t.same(stored(app, a), [linked, recent].sort(), 'and so are its bytes')
  t.equal((await a.as(a.admin, { url: `/_files/${linked}` })).statusCode, 200, 'the linked file is still served')
  t.equal(await removeOrphanFiles(ctx!.sql, app.platform.files), 0, 'a second pass finds nothing')
  const late = await a.as(a.admin, { method: 'POST', url: '/doc', payload: { attachment: orphan } })
  expectError(t, late, 422, 'VALIDATION_FAILED')
})

t.test('the login limit holds across two server instances on one management database', async (t) => {
  const app = await build(t, CONFIG)
  const a = await createTestApp(app, 'lgn')
  const second = await buildApp({ config: { ...app.platform.config } })
  t.teardown(async () => { await second.close() })
  const attempt = async (server: FastifyInstance): Promise<number> => (await server.inject({ method: 'POST', url: `/api/${a.name}/auth/login`, payload: { email: 'admin@localhost', password: 'wrong-password' } })).statusCode
  const { loginMaxPerEmail } = app.platform.config
  const statuses: number[] = []
  for (let i = 0; i < loginMaxPerEmail; i++) statuses.push(await attempt(i % 2 === 0 ? app : second))
  t.same(statuses, statuses.map(() => 401), `${loginMaxPerEmail} failures, alternating between the instances`)
  const limited = await second.inject({ method: 'POST', url: `/api/${a.name}/auth/login`, payload: { email: 'Admin@Localhost', password: 'changeme' } })
  expectError(t, limited, 429, 'RATE_LIMITED')
  t.ok(Number(limited.headers['retry-after']) >= 1, 'with Retry-After')
  expectError(t, await app.inject({ method: 'POST', url: `/api/${a.name}/auth/login`, payload: { email: 'admin@localhost', password: 'changeme' } }), 429, 'RATE_LIMITED')
})
