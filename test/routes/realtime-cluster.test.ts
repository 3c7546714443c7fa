import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../app.js'
import { loadConfig, type Config } from '../../config/index.js'
import { withDatabase } from '../../lib/db/connection.js'
import { freePort, stopTestServer, testServerUrl } from '../db-helper.js'
import { createTestApp, type TestApp } from '../helper.js'
import { dataOf, openSse, type SseEvent, type SseStream } from '../sse-client.js'
import { startServerProcess } from './server-process.js'

t.teardown(stopTestServer)
type Row = Record<string, any>

const FAST = { realtimePollIntervalMs: 100, realtimeHeartbeatMs: 1000 }

async function configFor (): Promise<Config> {
  const url = withDatabase(await testServerUrl(), `rocket_mgmt_${randomBytes(4).toString('hex')}`)
  return loadConfig({ LOG_LEVEL: 'silent' }, { databaseUrl: url, ...FAST })
}

async function listening (config: Config): Promise<{ app: FastifyInstance, base: string }> {
  const app = await buildApp({ config })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const addr = app.server.address()
  return { app, base: `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}` }
}

async function noteEntity (a: TestApp): Promise<void> {
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', fields: [{ name: 'id', type: 'uuid' }, { name: 'text', type: 'string' }] } })
  if (res.statusCode !== 201) throw new Error(res.body)
}

async function note (app: FastifyInstance, a: TestApp, text: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: `/api/${a.name}/note`, headers: { authorization: `Bearer ${a.admin}` }, payload: { text } })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data.id
}

function texts (events: SseEvent[]): string[] {
  return events.filter((e) => e.id !== null).map((e) => dataOf(e).record.text)
}

async function sse (t: Test, url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const s = await openSse(url, headers)
  t.teardown(() => { s.close() })
  t.equal(s.status, 200, s.body)
  return s
}

t.test('two server instances on one database: each streams every change once, in id order', async (t) => {
  const config = await configFor()
  const one = await listening(config)
  const two = await listening(config)
  t.teardown(async () => { await one.app.close(); await two.app.close() })
  const a = await createTestApp(one.app)
  await noteEntity(a)
  await new Promise((resolve) => setTimeout(resolve, 300)) // the metadata change reaches instance two
  const auth = { authorization: `Bearer ${a.admin}` }
  const s1 = await sse(t, `${one.base}/api/${a.name}/_realtime?entities=note`, auth)
  const s2 = await sse(t, `${two.base}/api/${a.name}/_realtime?entities=note`, auth)
  await note(one.app, a, 'a')
  await note(two.app, a, 'b')
  // Concurrent writers on both instances: transactions commit out of id order.
  const more = Array.from({ length: 80 }, (_, i) => `c${i}`)
  await Promise.all(more.map(async (x, i) => await note(i % 2 === 0 ? one.app : two.app, a, x)))
  const total = 2 + more.length
  const e1 = await s1.waitFor(total)
  const e2 = await s2.waitFor(total)
  t.same(e1.map((e) => e.id), e2.map((e) => e.id), 'same events, same order on both instances')
  t.same(texts(e1).slice(0, 2), ['a', 'b'])
  t.same([...texts(e1)].sort(), ['a', 'b', ...more].sort(), 'every change once')
  const ids = e1.map((e) => Number(e.id))
  t.ok(ids.every((id, i) => i === 0 || id > (ids[i - 1] as number)), 'strictly increasing ids')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(s1.events.length, total, 'no duplicate')
  t.equal(s2.events.length, total, 'no duplicate')
})

t.test('restart: close (event: reconnect), writes while down, rebuild on the same databases, resume without gap or duplicate', async (t) => {
  const config = await configFor()
  const first = await listening(config)
  const a = await createTestApp(first.app)
  await noteEntity(a)
  const auth = { authorization: `Bearer ${a.admin}` }
  const s = await sse(t, `${first.base}/api/${a.name}/_realtime?entities=note`, auth)
  await note(first.app, a, '1')
  await note(first.app, a, '2')
  await s.waitFor(2)
  await first.app.close()
  await s.ended
  t.same(s.events.map((e) => e.event), ['create', 'create', 'reconnect'], 'in-flight events, then reconnect')
  const last = s.events.filter((e) => e.id !== null).at(-1)?.id as string
  const second = await listening(config)
  t.teardown(async () => { await second.app.close() })
  await note(second.app, a, '3')
  await note(second.app, a, '4')
  const resumed = await sse(t, `${second.base}/api/${a.name}/_realtime?entities=note`, { ...auth, 'last-event-id': last })
  await note(second.app, a, '5')
  const events = await resumed.waitFor(3)
  t.same(texts(events), ['3', '4', '5'])
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(resumed.events.length, 3, 'no duplicate')
})

t.test('kill -9: every acknowledged write reaches a subscriber that reconnects with its last id', async (t) => {
  const config = await configFor()
  const databaseUrl = config.databaseUrl as string
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  // The restart listens on the same port: the subscriber reconnects to the same address.
  const env = { PORT: String(port), LOG_LEVEL: 'silent', REALTIME_POLL_INTERVAL_MS: '100' }
  let server = await startServerProcess(databaseUrl, env)
  t.teardown(async () => { await server.stop() })
  const json = async (path: string, method: string, token: string | null, body?: unknown): Promise<{ status: number, body: Row }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {})
    })
    return { status: res.status, body: await res.json() as Row }
  }
  const platform = (await json('/api/_platform/auth/login', 'POST', null, { email: 'platform@localhost', password: 'changeme' })).body.data.access_token as string
  const name = `kill_${randomBytes(4).toString('hex')}`
  t.equal((await json('/api/_platform/apps', 'POST', platform, { name, display_name: name })).status, 201)
  t.equal((await json(`/api/${name}/_admin/entities`, 'POST', platform, { name: 'note', fields: [{ name: 'id', type: 'uuid' }, { name: 'text', type: 'string' }] })).status, 201)
  const s = await sse(t, `${base}/api/${name}/_realtime?entities=note`, { authorization: `Bearer ${platform}` })
  const acknowledged: string[] = []
  let stop = false
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      try {
        const res = await json(`/api/${name}/note`, 'POST', platform, { text: `n${i}` })
        if (res.status === 201) acknowledged.push(res.body.data.id as string)
      } catch { /* the server is gone: not acknowledged */ }
    }
  })()
  while (acknowledged.length < 30) await new Promise((resolve) => setTimeout(resolve, 10))
  process.kill(server.pid, 'SIGKILL')
  await server.exited
  await server.stop()
  stop = true
  await writer
  await s.ended
  const seen = s.events.filter((e) => e.id !== null)
  const last = seen.at(-1)?.id ?? '0'
  t.ok(acknowledged.length >= 30, `${acknowledged.length} writes acknowledged before the kill; ${seen.length} streamed`)
  server = await startServerProcess(databaseUrl, env)
  const resumed = await sse(t, `${base}/api/${name}/_realtime?entities=note`, { authorization: `Bearer ${platform}`, 'last-event-id': last })
  const missing = acknowledged.length - seen.length
  const more = missing > 0 ? await resumed.waitFor(missing, { timeoutMs: 20_000 }) : []
  const all = [...seen, ...more].map((e) => dataOf(e).id as string)
  t.equal(new Set(all).size, all.length, 'no duplicate')
  t.same(acknowledged.filter((id) => !all.includes(id)), [], 'no acknowledged write is missing')
  await server.stop()
})
