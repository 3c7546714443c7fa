import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import type { Sql } from '../../lib/db/connection.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { eventually, startReceiver, type Receiver } from './webhooks-receiver.js'

// Response bodies are read loosely, as a client would.
type Json = Record<string, any>

const TICKET = {
  name: 'ticket',
  table: 'tickets',
  fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }, { name: 'status', type: 'string', default: 'open', enum: ['open', 'closed'] }]
}

interface Setup { app: FastifyInstance, a: TestApp, rx: Receiver, db: Sql }

async function setup (t: Test): Promise<Setup> {
  // Retries 1.5 s apart (fixed) or 1.5 s × 2^n, checked every 50 ms: slow enough to observe `retrying`
  // even on a loaded CI machine.
  const app = await build(t, { webhookPollIntervalMs: 50, webhookBackoffBaseMs: 1500, webhookAllowPrivate: true })
  const a = await createTestApp(app, 'whd')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: TICKET })).statusCode, 201)
  const rx = await startReceiver()
  t.teardown(rx.close)
  const ctx = await app.platform.apps.get(a.name)
  if (ctx === null) throw new Error('app not open')
  return { app, a, rx, db: ctx.sql }
}

async function hook (a: TestApp, body: Json): Promise<Json> {
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: body })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data
}

async function logs (a: TestApp, query: string): Promise<Json> {
  const res = await a.as(a.admin, { url: `/_admin/webhook-logs${query}` })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json()
}

t.test('a failed delivery is retried with backoff until delivered', async (t) => {
  const { a, rx } = await setup(t)
  rx.respond('/flaky', (_req, n) => ({ status: n === 0 ? 503 : 200 }))
  const wh = await hook(a, { entity: 'ticket', hook: 'after_write', url: `${rx.url}/flaky`, retry: { max_attempts: 3, backoff: 'fixed' } })
  t.equal((await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'x' } })).statusCode, 201)
  const retrying = await eventually(async () => (await logs(a, `?webhook_id=${wh.id}&status=retrying`)).data[0])
  t.match(retrying, { attempt: 1, response_status: 503, error: 'answered 503' })
  t.ok(new Date(retrying.next_retry_at).getTime() > Date.now() - 1000, 'next attempt scheduled')
  const delivered = await eventually(async () => (await logs(a, `?webhook_id=${wh.id}&status=delivered`)).data[0])
  t.match(delivered, { attempt: 2, response_status: 200, error: null, next_retry_at: null })
  const [first, second] = rx.on('/flaky')
  t.equal(first?.headers['idempotency-key'], second?.headers['idempotency-key'], 'a retry reuses the idempotency key')
  t.equal(first?.body, second?.body, 'and the same body')
})

t.test('max_attempts reached → failed; manual retry re-queues and delivers', async (t) => {
  const { a, rx } = await setup(t)
  let healthy = false
  rx.respond('/down', () => ({ status: healthy ? 200 : 500, body: 'x'.repeat(5000) }))
  const wh = await hook(a, { entity: 'ticket', hook: 'after_write', url: `${rx.url}/down`, retry: { max_attempts: 2, backoff: 'fixed' } })
  await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'y' } })
  const failed = await eventually(async () => (await logs(a, `?webhook_id=${wh.id}&status=failed`)).data[0])
  t.match(failed, { attempt: 2, max_attempts: 2, response_status: 500, error: 'answered 500', next_retry_at: null })
  t.equal(failed.response_body.length, 2048, 'response body truncated to 2 KiB')
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(rx.on('/down').length, 2, 'no attempt beyond max_attempts')

  healthy = true
  const retried = await a.as(a.admin, { method: 'POST', url: `/_admin/webhook-logs/${failed.id}/retry` })
  t.equal(retried.statusCode, 200, retried.body)
  t.match(retried.json().data, { id: failed.id, status: 'pending', attempt: 0 })
  const delivered = await eventually(async () => {
    const row = (await a.as(a.admin, { url: `/_admin/webhook-logs/${failed.id}` })).json().data
    return row.status === 'delivered' ? row : undefined
  })
  t.match(delivered, { attempt: 1, response_status: 200 })
  t.equal(rx.on('/down').length, 3)
  expectError(t, await a.as(a.admin, { method: 'POST', url: `/_admin/webhook-logs/${randomUUID()}/retry` }), 404, 'NOT_FOUND')
})

t.test('log listing: filters, pagination, bad query values', async (t) => {
  const { a, rx } = await setup(t)
  const one = await hook(a, { entity: 'ticket', hook: 'after_write', url: `${rx.url}/one` })
  await hook(a, { entity: 'ticket', hook: 'after_write', url: `${rx.url}/two` })
  for (const title of ['a', 'b', 'c']) await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title } })
  await rx.waitFor('/one', 3)
  await rx.waitFor('/two', 3)
  await eventually(async () => (await logs(a, '?status=delivered')).meta.total === 6 ? true : undefined)
  const page = await logs(a, '?entity=ticket&per_page=4&page=2')
  t.same(page.meta, { page: 2, per_page: 4, total: 6 })
  t.equal(page.data.length, 2)
  t.equal((await logs(a, `?webhook_id=${one.id}`)).meta.total, 3)
  t.equal((await logs(a, '?entity=other')).meta.total, 0)
  for (const q of ['?status=lost', '?webhook_id=12', '?per_page=0', '?page=0', '?pagee=2']) {
    expectError(t, await a.as(a.admin, { url: `/_admin/webhook-logs${q}` }), 400, 'INVALID_PAYLOAD')
  }
  // As everywhere (docs/reference.md): a larger per_page is capped, not refused.
  t.equal((await logs(a, '?per_page=101')).meta.per_page, 100)
  expectError(t, await a.as(a.admin, { url: `/_admin/webhook-logs/${randomUUID()}` }), 404, 'NOT_FOUND')
})

t.test('crash recovery: a pending row nobody dispatched is delivered by the scheduler', async (t) => {
  const { a, rx, db } = await setup(t)
  const wh = await hook(a, { entity: 'ticket', hook: 'after_write', url: `${rx.url}/recovered` })
  // As left by a process killed right after COMMIT: pending, never claimed, its grace period over.
  await db`
    INSERT INTO _webhook_logs (webhook_id, entity, hook, url, method, request_headers, request_body, status, next_retry_at, idempotency_key)
    VALUES (${wh.id}, 'ticket', 'after_write', ${`${rx.url}/recovered`}, 'POST', ${db.json({ 'Idempotency-Key': 'k-1' })},
      ${db.json({ event: 'ticket.create', idempotency_key: 'k-1' })}, 'pending', now() - interval '1 minute', 'k-1')`
  const [req] = await rx.waitFor('/recovered', 1)
  t.equal(req?.headers['idempotency-key'], 'k-1')
  await eventually(async () => (await logs(a, `?webhook_id=${wh.id}&status=delivered`)).data[0])
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(rx.on('/recovered').length, 1, 'delivered once')
})

t.test('deleting a webhook fails its queued deliveries and keeps the logs', async (t) => {
  const { a, rx } = await setup(t)
  rx.respond('/never', () => ({ status: 500 }))
  const wh = await hook(a, { entity: 'ticket', hook: 'after_write', url: `${rx.url}/never`, retry: { max_attempts: 5, backoff: 'exponential' } })
  await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'z' } })
  const row = await eventually(async () => (await logs(a, `?webhook_id=${wh.id}&status=retrying`)).data[0])
  t.equal((await a.as(a.admin, { method: 'DELETE', url: `/_admin/webhooks/${wh.id}` })).statusCode, 200)
  const after = (await a.as(a.admin, { url: `/_admin/webhook-logs/${row.id}` })).json().data
  t.match(after, { status: 'failed', webhook_id: null, error: 'webhook deleted before delivery' })
})

t.test('state-machine webhook actions are delivered through the webhook log', async (t) => {
  const { a, rx } = await setup(t)
  const machine = {
    entity: 'ticket',
    field: 'status',
    definition: { initial: 'open', transitions: [{ from: 'open', to: 'closed', actions: [{ type: 'webhook', url: `${rx.url}/closed`, headers: { 'X-From': 'sm' } }] }] }
  }
  const m = await a.as(a.admin, { method: 'POST', url: '/_admin/state-machines', payload: machine })
  t.equal(m.statusCode, 201, m.body)
  const created = await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 't' } })
  const id = created.json().data.id
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/ticket/${id}`, payload: { status: 'closed' } })).statusCode, 200)
  const [req] = await rx.waitFor('/closed', 1)
  t.equal(req?.headers['x-from'], 'sm')
  t.match(JSON.parse(req?.body ?? '{}'), { entity: 'ticket', hook: 'state_machine', record: { id, status: 'closed' }, transition: { field: 'status', from: 'open', to: 'closed' } })
  const log = await eventually(async () => (await logs(a, '?status=delivered')).data.find((l: Json) => l.hook === 'state_machine'))
  t.equal(log.webhook_id, null)
})
