// Realtime streams end when the credential they were opened with stops working — a revoked or
// expired API key, a deactivated user, a token older than the user's token version — even when
// no change is being sent, within about a second, in this process and in another one. Real
// HTTP streams against listening servers on one management database.
import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../app.js'
import { loadConfig, type Config } from '../../config/index.js'
import { withDatabase } from '../../lib/db/connection.js'
import { stopTestServer, testServerUrl } from '../db-helper.js'
import { createTestApp } from '../helper.js'
import { dataOf, openSse, type SseStream } from '../sse-client.js'

t.teardown(stopTestServer)
type Row = Record<string, any>

async function configFor (): Promise<Config> {
  const url = withDatabase(await testServerUrl(), `rocket_mgmt_${randomBytes(4).toString('hex')}`)
  return loadConfig({ LOG_LEVEL: 'silent' }, { databaseUrl: url, realtimePollIntervalMs: 100, realtimeHeartbeatMs: 60_000 })
}

async function listening (config: Config): Promise<{ app: FastifyInstance, base: string }> {
  const app = await buildApp({ config })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const addr = app.server.address()
  return { app, base: `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}` }
}

const config = await configFor()
const one = await listening(config)
t.teardown(async () => { await one.app.close() })
const a = await createTestApp(one.app)
const entity = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', fields: [{ name: 'id', type: 'uuid' }, { name: 'text', type: 'string' }] } })
if (entity.statusCode !== 201) throw new Error(entity.body)

async function note (text: string): Promise<void> {
  const res = await a.as(a.admin, { method: 'POST', url: '/note', payload: { text } })
  if (res.statusCode !== 201) throw new Error(res.body)
}

async function apiKey (body: Row = {}): Promise<{ id: string, key: string }> {
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/api-keys', payload: { name: 'stream', roles: ['admin'], ...body } })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data
}

async function stream (t: Test, headers: Record<string, string>, base = one.base, query = ''): Promise<SseStream> {
  const s = await openSse(`${base}/api/${a.name}/_realtime?entities=note${query}`, headers)
  t.teardown(() => { s.close() })
  t.equal(s.status, 200, s.body)
  return s
}

/** How long the stream took to end after `since`; fails (and closes it) past `limitMs`. */
async function endsWithin (t: Test, s: SseStream, since: number, limitMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => { resolve('timeout') }, limitMs) })
  const outcome = await Promise.race([s.ended.then(() => 'ended' as const), timeout])
  clearTimeout(timer)
  const ms = Date.now() - since
  t.equal(outcome, 'ended', `the stream ended (${ms} ms)`)
  if (outcome === 'timeout') s.close()
  return ms
}

const events = (s: SseStream): string[] => s.events.map((e) => e.event)

t.test('revoking an API key ends its streams within a second with auth_expired; other streams go on', async (t) => {
  const revoked = await apiKey()
  const kept = await apiKey()
  const byBearer = await stream(t, { authorization: `Bearer ${revoked.key}` })
  const byHeader = await stream(t, { 'x-api-key': revoked.key })
  const other = await stream(t, { 'x-api-key': kept.key })
  const admin = await stream(t, { authorization: `Bearer ${a.admin}` })
  await note('before')
  for (const s of [byBearer, byHeader, other, admin]) await s.waitFor(1)
  t.same(byBearer.events.map((e) => dataOf(e).record.text), ['before'], 'the key streams while valid')

  const started = Date.now()
  const del = await a.as(a.admin, { method: 'DELETE', url: `/_admin/api-keys/${revoked.id}` })
  t.equal(del.statusCode, 200)
  const ms = Math.max(await endsWithin(t, byBearer, started, 3000), await endsWithin(t, byHeader, started, 3000))
  t.ok(ms < 1200, `ended within ~1 s of the revocation (${ms} ms), no event needed`)
  t.same(events(byBearer), ['create', 'auth_expired'], 'the final event JWT streams get')
  t.same(events(byHeader), ['create', 'auth_expired'])

  await note('after')
  await other.waitFor(2)
  await admin.waitFor(2)
  t.notOk(other.isEnded() || admin.isEnded(), 'streams of another key and of a user go on')
  t.same(events(byBearer), ['create', 'auth_expired'], 'nothing after the end')
  const again = await openSse(`${one.base}/api/${a.name}/_realtime?entities=note`, { authorization: `Bearer ${revoked.key}` })
  t.equal(again.status, 401, 'reconnecting with the revoked key is refused')
})

t.test('an API key\'s expiry ends its stream (also when opened with ?access_token=)', async (t) => {
  const expiresAt = Date.now() + 1500
  const expiring = await apiKey({ expires_at: new Date(expiresAt).toISOString() })
  const s = await stream(t, {}, one.base, `&access_token=${expiring.key}`)
  await endsWithin(t, s, Date.now(), 4000)
  t.same(events(s), ['auth_expired'])
  t.ok(Date.now() >= expiresAt - 200, 'not before the expiry')
})

t.test('a revocation made by another server process ends the stream within a second (NOTIFY rocket_api_keys)', async (t) => {
  const two = await listening(config)
  t.teardown(async () => { await two.app.close() })
  const key = await apiKey()
  const onTwo = await stream(t, { 'x-api-key': key.key }, two.base)
  await note('seen on two')
  await onTwo.waitFor(1)
  const started = Date.now()
  // Revoked through instance one: instance two learns it from the notification.
  const del = await a.as(a.admin, { method: 'DELETE', url: `/_admin/api-keys/${key.id}` })
  t.equal(del.statusCode, 200)
  const ms = await endsWithin(t, onTwo, started, 3000)
  t.ok(ms < 1200, `ended within ~1 s on the other instance (${ms} ms)`)
  t.same(events(onTwo), ['create', 'auth_expired'])
})

t.test('a key streams what its roles may read, with $user.id = the key id', async (t) => {
  const owned = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'job', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string' }, { name: 'owner_id', type: 'uuid' }] } })
  t.equal(owned.statusCode, 201, owned.body)
  const bot = await apiKey({ roles: ['bot'] })
  const policy = { entity: 'job', action: 'read', roles: ['bot'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] }
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: policy })).statusCode, 201)
  const refused = await openSse(`${one.base}/api/${a.name}/_realtime?entities=note`, { 'x-api-key': bot.key })
  t.equal(refused.status, 403, 'an entity the key may not read at all: 403 at subscribe')
  const s = await openSse(`${one.base}/api/${a.name}/_realtime?entities=job`, { 'x-api-key': bot.key })
  t.teardown(() => { s.close() })
  t.equal(s.status, 200, s.body)
  await new Promise((resolve) => setTimeout(resolve, 100))
  for (const [title, owner] of [['other', '00000000-0000-4000-8000-000000000000'], ['mine', bot.id]]) {
    const res = await a.as(a.admin, { method: 'POST', url: '/job', payload: { title, owner_id: owner } })
    t.equal(res.statusCode, 201, res.body)
  }
  const got = await s.waitFor(1)
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.same(s.events.map((e) => dataOf(e).record.title), ['mine'], 'only the row whose owner_id is the key id')
  t.equal(got[0]?.event, 'create')
})

async function userToken (email: string): Promise<{ id: string, token: string }> {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email, password: 'password-123', roles: ['admin'] } })
  if (created.statusCode !== 201) throw new Error(created.body)
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password: 'password-123' } })
  return { id: created.json().data.id, token: login.json().data.access_token }
}

t.test('a user\'s quiet stream ends within a second on deactivation and on a password change', async (t) => {
  const deactivated = await userToken('deactivated@example.com')
  const changed = await userToken('changed@example.com')
  const s1 = await stream(t, { authorization: `Bearer ${deactivated.token}` })
  const s2 = await stream(t, { authorization: `Bearer ${changed.token}` })
  // Let the streams register with the feed before the changes.
  await new Promise((resolve) => setTimeout(resolve, 100))

  let started = Date.now()
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/_admin/users/${deactivated.id}`, payload: { active: false } })).statusCode, 200)
  let ms = await endsWithin(t, s1, started, 3000)
  t.ok(ms < 1200, `deactivation: ended within ~1 s (${ms} ms)`)
  t.same(events(s1), ['auth_expired'])

  started = Date.now()
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/_admin/users/${changed.id}`, payload: { password: 'another-password' } })).statusCode, 200)
  ms = await endsWithin(t, s2, started, 3000)
  t.ok(ms < 1200, `a new password (token version raised): ended within ~1 s (${ms} ms)`)
  t.same(events(s2), ['auth_expired'])
})
