import { createHmac } from 'node:crypto'
import t, { type Test } from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { eventually, startReceiver, type Receiver } from './webhooks-receiver.js'

// Response bodies are read loosely, as a client would.
type Json = Record<string, any>

const ORDER = {
  name: 'order',
  table: 'orders',
  fields: [{ name: 'id', type: 'uuid' }, { name: 'ref', type: 'string', required: true }, { name: 'total', type: 'int' }]
}

async function setup (t: Test): Promise<{ a: TestApp, rx: Receiver }> {
  const app = await build(t, { webhookPollIntervalMs: 100, webhookBackoffBaseMs: 50, webhookAllowPrivate: true })
  const a = await createTestApp(app, 'wh')
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: ORDER })
  t.equal(res.statusCode, 201, res.body)
  const rx = await startReceiver()
  t.teardown(rx.close)
  return { a, rx }
}

async function hook (t: Test, a: TestApp, body: Json): Promise<Json> {
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: body })
  t.equal(res.statusCode, 201, res.body)
  return res.json().data
}

async function logsOf (a: TestApp, webhookId: string): Promise<Json[]> {
  const res = await a.as(a.admin, { url: `/_admin/webhook-logs?webhook_id=${webhookId}` })
  return res.json().data
}

t.test('admin CRUD: defaults, write-only secret, validation', async (t) => {
  const { a, rx } = await setup(t)
  const created = await hook(t, a, { entity: 'order', hook: 'after_write', url: `${rx.url}/x`, secret: 'top-secret', headers: { 'X-Key': '{{env.ROCKET_WEBHOOK_ENV_WH_KEY}}' } })
  t.match(created, { method: 'POST', async: true, active: true, timeout_ms: 5000, retry: { max_attempts: 3, backoff: 'exponential' }, has_secret: true })
  t.notOk('secret' in created, 'secret never returned')
  for (const res of [await a.as(a.admin, { url: '/_admin/webhooks' }), await a.as(a.admin, { url: `/_admin/webhooks/${created.id}` })]) {
    t.equal(res.statusCode, 200)
    t.notOk(res.body.includes('top-secret'), 'secret absent from reads')
  }
  const off = await a.as(a.admin, { method: 'PUT', url: `/_admin/webhooks/${created.id}`, payload: { active: false } })
  t.match(off.json().data, { active: false, has_secret: true }, 'partial update keeps the secret')
  const cleared = await a.as(a.admin, { method: 'PUT', url: `/_admin/webhooks/${created.id}`, payload: { secret: null } })
  t.equal(cleared.json().data.has_secret, false, 'secret: null removes it')
  const before = await hook(t, a, { entity: 'order', hook: 'before_write', url: `${rx.url}/y` })
  t.equal(before.async, false, 'before_* hooks default to sync')

  const bad: Array<[Json, string]> = [
    [{ entity: 'order', hook: 'after_write', url: 'ftp://example.com/x' }, 'url'],
    [{ entity: 'order', hook: 'after_write', url: 'not a url' }, 'url'],
    [{ entity: 'nope', hook: 'after_write', url: rx.url }, 'entity'],
    [{ entity: 'order', hook: 'on_write', url: rx.url }, 'hook'],
    [{ entity: 'order', hook: 'before_write', url: rx.url, async: true }, 'async'],
    [{ entity: 'order', hook: 'after_write', url: rx.url, method: 'TRACE' }, 'method'],
    [{ entity: 'order', hook: 'after_write', url: rx.url, retry: { max_attempts: 11 } }, 'retry.max_attempts'],
    [{ entity: 'order', hook: 'after_write', url: rx.url, headers: { 'X-A': '{{secret.X}}' } }, 'headers.X-A'],
    [{ entity: 'order', hook: 'after_write', url: rx.url, headers: { 'Content-Length': '1' } }, 'headers.Content-Length'],
    [{ entity: 'order', hook: 'after_write', url: rx.url, surprise: 1 }, 'surprise']
  ]
  for (const [body, field] of bad) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: body })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.ok(res.json().error.details.some((d: Json) => d.field === field), `${field} named (${res.body.slice(0, 200)})`)
  }
  const cond = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: { entity: 'order', hook: 'after_write', url: rx.url, condition: 'record.total >' } })
  expectError(t, cond, 422, 'VALIDATION_FAILED')
  t.equal(typeof cond.json().error.details[0].position, 'number', 'condition error has a position')
  expectError(t, await a.as(a.admin, { url: '/_admin/webhooks/00000000-0000-0000-0000-000000000000' }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { url: '/_admin/webhooks/nope' }), 404, 'NOT_FOUND')
  const del = await a.as(a.admin, { method: 'DELETE', url: `/_admin/webhooks/${created.id}` })
  t.equal(del.statusCode, 200)
  expectError(t, await a.as(a.admin, { url: `/_admin/webhooks/${created.id}` }), 404, 'NOT_FOUND')
})

t.test('async after_write: delivered after commit, signed, templated headers, idempotency key', async (t) => {
  const { a, rx } = await setup(t)
  process.env.ROCKET_WEBHOOK_ENV_WH_TEST_KEY = 'resolved-key-value'
  t.teardown(() => { delete process.env.ROCKET_WEBHOOK_ENV_WH_TEST_KEY })
  const wh = await hook(t, a, { entity: 'order', hook: 'after_write', url: `${rx.url}/orders`, secret: 's3cret', headers: { 'X-Key': 'k={{env.ROCKET_WEBHOOK_ENV_WH_TEST_KEY}}' } })
  const created = await a.as(a.admin, { method: 'POST', url: '/order', payload: { ref: 'A-1', total: 10 } })
  t.equal(created.statusCode, 201, created.body)
  const [req] = await rx.waitFor('/orders', 1)
  if (req === undefined) return
  const body = JSON.parse(req.body)
  t.equal(req.method, 'POST')
  t.equal(req.headers['x-key'], 'k=resolved-key-value', 'env template resolved at dispatch')
  t.equal(req.headers['content-type'], 'application/json')
  t.equal(req.headers['idempotency-key'], body.idempotency_key, 'idempotency key in header and body')
  const expected = 'sha256=' + createHmac('sha256', 's3cret').update(req.body).digest('hex')
  t.equal(req.headers['x-rocket-signature'], expected, 'HMAC-SHA256 of the raw body')
  t.match(body, { event: 'after_write', hook: 'after_write', entity: 'order', action: 'create', old: null, record: { ref: 'A-1', total: 10 }, user: { email: 'admin@localhost' } })
  t.same(body.changes.ref, { old: null, new: 'A-1' })
  t.equal(body.record.id, created.json().data.id, 'record as written, with its generated id')
  t.ok(!Number.isNaN(Date.parse(body.timestamp)))

  const log = await eventually(async () => (await logsOf(a, wh.id)).find((l) => l.status === 'delivered'))
  t.match(log, { status: 'delivered', attempt: 1, response_status: 200, response_body: 'ok', entity: 'order', hook: 'after_write' })
  t.equal(log.request_headers['X-Key'], 'k={{env.ROCKET_WEBHOOK_ENV_WH_TEST_KEY}}', 'the log keeps the template')
  t.notOk(JSON.stringify(log).includes('resolved-key-value'), 'no resolved secret in the log')

  const id = created.json().data.id
  const upd = await a.as(a.admin, { method: 'PUT', url: `/order/${id}`, payload: { total: 20 } })
  t.equal(upd.statusCode, 200, upd.body)
  const [, second] = await rx.waitFor('/orders', 2)
  const changed = JSON.parse(second?.body ?? '{}')
  t.equal(changed.action, 'update')
  t.same(changed.changes, { total: { old: 10, new: 20 } }, 'only the changed fields')
  t.equal(changed.old.total, 10)
  t.not(changed.idempotency_key, body.idempotency_key, 'each event its own key')

  await hook(t, a, { entity: 'order', hook: 'after_delete', url: `${rx.url}/gone`, method: 'DELETE' })
  t.equal((await a.as(a.admin, { method: 'DELETE', url: `/order/${id}` })).statusCode, 200)
  const [gone] = await rx.waitFor('/gone', 1)
  t.equal(gone?.method, 'DELETE')
  t.match(JSON.parse(gone?.body ?? '{}'), { event: 'after_delete', action: 'delete', record: { id }, old: { id } })
})

t.test('a false condition sends nothing and logs nothing', async (t) => {
  const { a, rx } = await setup(t)
  const wh = await hook(t, a, { entity: 'order', hook: 'after_write', url: `${rx.url}/big`, condition: "record.total > 100 && action == 'create' && entity == 'order'" })
  t.equal((await a.as(a.admin, { method: 'POST', url: '/order', payload: { ref: 'S-1', total: 5 } })).statusCode, 201)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/order', payload: { ref: 'B-1', total: 500 } })).statusCode, 201)
  const [req] = await rx.waitFor('/big', 1)
  t.equal(JSON.parse(req?.body ?? '{}').record.ref, 'B-1', 'only the matching record')
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(rx.on('/big').length, 1)
  t.equal((await logsOf(a, wh.id)).length, 1, 'no log row for the skipped event')
})

t.test('sync before_write: a non-2xx answer or a timeout rolls the write back naming the webhook', async (t) => {
  const { a, rx } = await setup(t)
  rx.respond('/veto', () => ({ status: 500, body: 'no' }))
  const wh = await hook(t, a, { entity: 'order', hook: 'before_write', url: `${rx.url}/veto`, condition: "record.ref != 'ok'" })
  const res = await a.as(a.admin, { method: 'POST', url: '/order', payload: { ref: 'V-1', total: 1 } })
  expectError(t, res, 422, 'VALIDATION_FAILED')
  t.match(res.json().error.message, wh.id, 'message names the webhook')
  t.match(res.json().error.details[0], { rule: 'webhook', message: /answered 500/ })
  t.equal(JSON.parse(rx.on('/veto')[0]?.body ?? '{}').record.ref, 'V-1', 'the webhook saw the record')
  t.equal((await a.as(a.admin, { url: '/order?filter[ref]=V-1' })).json().meta.total, 0, 'nothing written')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/order', payload: { ref: 'ok' } })).statusCode, 201, 'condition false: not called')

  await a.as(a.admin, { method: 'PUT', url: `/_admin/webhooks/${wh.id}`, payload: { active: false } })
  rx.respond('/slow', () => ({ status: 200, delayMs: 1500 }))
  const slow = await hook(t, a, { entity: 'order', hook: 'before_write', url: `${rx.url}/slow`, timeout_ms: 200 })
  const started = Date.now()
  const timed = await a.as(a.admin, { method: 'POST', url: '/order', payload: { ref: 'T-1' } })
  expectError(t, timed, 422, 'VALIDATION_FAILED')
  t.match(timed.json().error.message, slow.id)
  t.match(timed.json().error.details[0].message, /timed out after 200 ms/)
  t.ok(Date.now() - started < 1400, 'the timeout bounds the wait')
  t.equal((await a.as(a.admin, { url: '/order?filter[ref]=T-1' })).json().meta.total, 0)
  await a.as(a.admin, { method: 'PUT', url: `/_admin/webhooks/${slow.id}`, payload: { active: false } })

  const okWrite = await a.as(a.admin, { method: 'POST', url: '/order', payload: { ref: 'D-1' } })
  rx.respond('/nodelete', () => ({ status: 409 }))
  await hook(t, a, { entity: 'order', hook: 'before_delete', url: `${rx.url}/nodelete` })
  const del = await a.as(a.admin, { method: 'DELETE', url: `/order/${okWrite.json().data.id}` })
  expectError(t, del, 422, 'VALIDATION_FAILED')
  t.equal((await a.as(a.admin, { url: `/order/${okWrite.json().data.id}` })).statusCode, 200, 'delete rolled back')
})

t.test('outbox: the log row commits or rolls back with the data', async (t) => {
  const { a, rx } = await setup(t)
  const queued = await hook(t, a, { entity: 'order', hook: 'after_write', url: `${rx.url}/queued` })
  rx.respond('/after-veto', (req) => ({ status: JSON.parse(req.body).record.ref === 'R-1' ? 500 : 200 }))
  await hook(t, a, { entity: 'order', hook: 'after_write', url: `${rx.url}/after-veto`, async: false })
  const res = await a.as(a.admin, { method: 'POST', url: '/order', payload: { ref: 'R-1' } })
  expectError(t, res, 422, 'VALIDATION_FAILED')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal((await logsOf(a, queued.id)).length, 0, 'the outbox row written before the veto was rolled back')
  t.equal(rx.on('/queued').length, 0, 'nothing delivered for a rolled-back write')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/order', payload: { ref: 'R-2' } })).statusCode, 201)
  await rx.waitFor('/queued', 1)
  t.equal(JSON.parse(rx.on('/after-veto')[1]?.body ?? '{}').record.id !== undefined, true, 'sync after_write sees the generated id')
})
