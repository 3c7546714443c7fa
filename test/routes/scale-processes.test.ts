// Issue 14 (points 2 and 5): several real server processes on one management database, real
// HTTP (docs/ARCHITECTURE.md, "Across processes"). Three processes started together on an empty
// database; login limits, metadata, app deletion and webhook jobs across them; a missing app
// database (WORKERS=2: workers.test.ts).
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { connect, withDatabase } from '../../lib/db/connection.js'
import { dropDatabases, stopTestServer, testServerUrl } from '../db-helper.js'
import { startReceiver } from './webhooks-receiver.js'
import { call, startServerProcess, type Json, type ServerProcess } from './server-process.js'

t.teardown(stopTestServer)
// Four server processes started one after the other on a loaded machine.
t.setTimeout(900_000)

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

const LIMITS = { LOGIN_MAX_PER_EMAIL: '5', LOGIN_MAX_PER_IP: '40', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL_MS: '100', WEBHOOK_BACKOFF_BASE_MS: '300' }

t.test('three processes on one database', async (t) => {
  const server = await testServerUrl()
  const mgmtName = `rocket_mgmt_${randomBytes(4).toString('hex')}`
  const mgmt = withDatabase(server, mgmtName)
  t.teardown(async () => { await dropDatabases(server, [mgmtName]) })
  // Started together on an empty management database: boot steps run under an advisory lock.
  const procs = await Promise.all([0, 1, 2].map(async () => await startServerProcess(mgmt, LIMITS)))
  t.teardown(async () => { await Promise.all(procs.map(async (p) => { await p.stop() })) })
  const [p1, p2, p3] = procs as [ServerProcess, ServerProcess, ServerProcess]
  t.pass('all three started')
  const platform = (await call(p1, '/api/_platform/auth/login', { method: 'POST', body: { email: 'platform@localhost', password: 'changeme' } })).body.data.access_token as string
  const newApp = async (prefix: string): Promise<string> => {
    const name = `${prefix}_${randomBytes(3).toString('hex')}`
    const res = await call(p1, '/api/_platform/apps', { method: 'POST', token: platform, body: { name } })
    if (res.status !== 201) throw new Error(`app: ${res.status} ${JSON.stringify(res.body)}`)
    return name
  }
  const entity = async (app: string, via: ServerProcess): Promise<void> => {
    const res = await call(via, `/api/${app}/_admin/entities`, { method: 'POST', token: platform, body: { name: 'note', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string' }] } })
    if (res.status !== 201) throw new Error(`entity: ${res.status} ${JSON.stringify(res.body)}`)
  }

  await t.test('a metadata change made through one process is served by all within 1 s', async (t) => {
    const app = await newApp('meta')
    // Every process has the app open before the change.
    for (const p of procs) t.equal((await call(p, `/api/${app}/_admin/entities`, { token: platform })).status, 200)
    await entity(app, p1)
    const changedAt = Date.now()
    const served = await Promise.all([p2, p3].map(async (p) => {
      for (;;) {
        const res = await call(p, `/api/${app}/note`, { method: 'POST', token: platform, body: { title: 'x' } })
        if (res.status === 201 || Date.now() - changedAt > 3000) return { status: res.status, ms: Date.now() - changedAt }
        await sleep(25)
      }
    }))
    for (const [i, s] of served.entries()) {
      t.equal(s.status, 201, `process ${i + 2} serves the new entity`)
      t.ok(s.ms < 1000, `process ${i + 2}: within a second (${s.ms} ms)`)
    }
  })

  await t.test('wrong passwords spread over the processes still lock: the (max+1)-th is 429 whichever process', async (t) => {
    const app = await newApp('lim')
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const res = await call(procs[i % 3] as ServerProcess, `/api/${app}/auth/login`, { method: 'POST', body: { email: 'Admin@Localhost', password: `wrong-${i}` } })
      statuses.push(res.status)
    }
    t.same(statuses, [401, 401, 401, 401, 401, 429], 'five failures answered 401, the sixth 429')
    for (const p of procs) {
      const res = await call(p, `/api/${app}/auth/login`, { method: 'POST', body: { email: 'admin@localhost', password: 'changeme' } })
      t.equal(res.status, 429, 'even the right password is refused on every process (lower-cased email)')
      t.equal(res.body.error.code, 'RATE_LIMITED')
      t.ok(Number(res.headers.get('retry-after')) > 0, 'with Retry-After')
    }
    const unknown: number[] = []
    for (let i = 0; i < 6; i++) unknown.push((await call(procs[(i + 1) % 3] as ServerProcess, `/api/${app}/auth/login`, { method: 'POST', body: { email: 'nobody@example.test', password: 'x' } })).status)
    t.same(unknown, [401, 401, 401, 401, 401, 429], 'an unknown email is counted the same way')
  })

  await t.test('an app deleted through one process answers 404 APP_NOT_FOUND on the others, never 500', async (t) => {
    const app = await newApp('del')
    await entity(app, p1)
    await sleep(300)
    for (const p of procs) t.equal((await call(p, `/api/${app}/note`, { token: platform })).status, 200, 'open everywhere')
    t.equal((await call(p1, `/api/_platform/apps/${app}`, { method: 'DELETE', token: platform })).status, 200)
    for (const [i, p] of procs.entries()) {
      const res = await call(p, `/api/${app}/note`, { token: platform })
      t.equal(res.status, 404, `process ${i + 1}: 404 at once (${JSON.stringify(res.body)})`)
      t.equal(res.body.error?.code, 'APP_NOT_FOUND')
      const write = await call(p, `/api/${app}/note`, { method: 'POST', token: platform, body: { title: 'late' } })
      t.equal(write.status, 404, `process ${i + 1}: a write too`)
    }
    // The name can be used again, through another process.
    t.equal((await call(p2, '/api/_platform/apps', { method: 'POST', token: platform, body: { name: app } })).status, 201, 'recreated through process 2')
    t.equal((await call(p3, `/api/${app}/note`, { token: platform })).status, 404, 'the new app has no note entity: UNKNOWN_ENTITY, not the old pool')
    t.equal((await call(p3, `/api/${app}/_admin/entities`, { token: platform })).status, 200, 'and is served by process 3')
  })

  await t.test('a webhook delivery runs once, retries included, with three schedulers claiming', async (t) => {
    const app = await newApp('hook')
    await entity(app, p1)
    const rx = await startReceiver()
    t.teardown(rx.close)
    // The first attempt of every delivery fails: retries are claimed by whichever scheduler comes first.
    rx.respond('/once', (req) => ({ status: rx.on('/once').filter((r) => r.body === req.body).length === 1 ? 503 : 200 }))
    const hook = await call(p1, `/api/${app}/_admin/webhooks`, { method: 'POST', token: platform, body: { entity: 'note', hook: 'after_write', url: `${rx.url}/once`, retry: { max_attempts: 5, backoff: 'fixed' } } })
    t.equal(hook.status, 201, JSON.stringify(hook.body))
    await sleep(500)
    const ids: string[] = []
    for (let i = 0; i < 12; i++) {
      const res = await call(procs[i % 3] as ServerProcess, `/api/${app}/note`, { method: 'POST', token: platform, body: { title: `n${i}` } })
      t.equal(res.status, 201)
      ids.push(res.body.data.id as string)
    }
    await rx.waitFor('/once', 24, 30_000)
    await sleep(1500)
    const perRecord = new Map<string, number>()
    for (const r of rx.on('/once')) {
      const id = (JSON.parse(r.body) as Json).record?.id as string
      perRecord.set(id, (perRecord.get(id) ?? 0) + 1)
    }
    t.same([...perRecord.keys()].sort(), [...ids].sort(), 'every record delivered')
    t.ok([...perRecord.values()].every((n) => n === 2), `each exactly twice (one 503, one 200): ${JSON.stringify([...perRecord.values()])}`)
    const logs = await call(p2, `/api/${app}/_admin/webhook-logs?status=delivered&per_page=100`, { token: platform })
    t.equal(logs.body.data.length, 12, 'twelve delivered log rows')
    t.ok(logs.body.data.every((l: Json) => l.attempt === 2), 'each on its second attempt')
  })

  await t.test('a missing app database: that app answers 503, the others keep working, a new process starts', async (t) => {
    const gone = await newApp('gone')
    const fine = await newApp('fine')
    await entity(fine, p1)
    // `_admin/users` reads the app database (the entity list is served from memory).
    t.equal((await call(p2, `/api/${gone}/_admin/users`, { token: platform })).status, 200)
    const admin = connect(server, { max: 1 })
    t.teardown(async () => { await admin.end() })
    await admin.unsafe(`DROP DATABASE "rocket_${gone}" WITH (FORCE)`)
    for (const [i, p] of procs.entries()) {
      const res = await call(p, `/api/${gone}/_admin/users`, { token: platform })
      t.equal(res.status, 503, `process ${i + 1}: 503 (${JSON.stringify(res.body)})`)
      t.equal(res.body.error?.code, 'SERVICE_UNAVAILABLE')
      t.notMatch(JSON.stringify(res.body), /does not exist|rocket_/, 'no PostgreSQL message')
    }
    const p4 = await startServerProcess(mgmt, LIMITS)
    t.teardown(p4.stop)
    t.pass('a fourth process starts although one app database is missing')
    t.equal((await call(p4, `/api/${gone}/_admin/users`, { token: platform })).status, 503)
    t.equal((await call(p4, `/api/${fine}/note`, { token: platform })).status, 200, 'the other app is served')
    t.equal((await call(p4, `/api/_platform/apps/${gone}`, { method: 'DELETE', token: platform })).status, 200, 'the broken app can still be deleted')
    t.equal((await call(p1, `/api/${gone}/_admin/users`, { token: platform })).status, 404)
  })
})
