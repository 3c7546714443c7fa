// Without an allow-list (and without WEBHOOK_ALLOW_PRIVATE), webhooks cannot target loopback,
// private or link-local addresses: refused on save and again at delivery time.
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { adminCreate, appContext, dataOf, defineSchema, detailsOf, type Row } from './business-fixtures.js'
import { eventually, startReceiver } from './webhooks-receiver.js'

// Response bodies are read loosely, as a client would.
type Json = Record<string, any>

const ORDER = { name: 'order', table: 'orders', fields: [{ name: 'id', type: 'uuid' }, { name: 'ref', type: 'string' }, { name: 'state', type: 'string' }] }
const PRIVATE_URLS = [
  'http://127.0.0.1:9/x', 'http://localhost:9/x', 'http://[::1]/x', 'http://169.254.169.254/latest/meta-data/',
  'http://10.0.0.8/x', 'http://192.168.1.10/x', 'http://172.20.0.1/x', 'http://[fd00::1]/x', 'http://0.0.0.0/x', 'http://[::ffff:127.0.0.1]/x'
]

async function setup (t: Test): Promise<TestApp & { app: FastifyInstance }> {
  const app = await build(t, { webhookPollIntervalMs: 50 })
  const a = await createTestApp(app, 'ssrf')
  await defineSchema(t, a, { entities: [ORDER] })
  return { ...a, app }
}

t.test('webhooks, workflow webhook actions and imports refuse private targets with 422', async (t) => {
  const a = await setup(t)
  for (const url of PRIVATE_URLS) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: { entity: 'order', hook: 'after_write', url } })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.match(detailsOf(res), [{ field: 'url', rule: 'url', message: /loopback, private or link-local/ }], url)
  }
  const ok = await adminCreate(a, 'webhooks', { entity: 'order', hook: 'after_write', url: 'https://hooks.example.com/x' })
  const put = await a.as(a.admin, { method: 'PUT', url: `/_admin/webhooks/${String(ok.id)}`, payload: { entity: 'order', hook: 'after_write', url: 'http://169.254.169.254/' } })
  expectError(t, put, 422, 'VALIDATION_FAILED')
  t.equal((dataOf(t, await a.as(a.admin, { url: `/_admin/webhooks/${String(ok.id)}` }))).url, 'https://hooks.example.com/x', 'the stored URL is unchanged')

  const wf = await a.as(a.admin, {
    method: 'POST',
    url: '/_admin/workflows',
    payload: { name: 'w', trigger: { type: 'state_change', entity: 'order', field: 'state', to: 'x' }, steps: [{ id: 's', type: 'action', actions: [{ type: 'webhook', url: 'http://127.0.0.1:9/x' }] }] }
  })
  expectError(t, wf, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(wf), [{ field: 'steps[0].actions[0].url', rule: 'url' }])

  const machine = await a.as(a.admin, {
    method: 'POST',
    url: '/_admin/state-machines',
    payload: { entity: 'order', field: 'state', definition: { initial: 'new', transitions: [{ from: 'new', to: 'done', actions: [{ type: 'webhook', url: 'http://169.254.169.254/latest' }] }] } }
  })
  expectError(t, machine, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(machine), [{ field: 'definition.transitions[0].actions[0].url', rule: 'url' }], 'a state-machine webhook action too')

  const imported = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/_admin/import', payload: { version: 1, webhooks: [{ entity: 'order', hook: 'after_write', url: 'http://10.1.1.1/h' }] } }))
  t.match(imported.webhooks, { created: [], errors: [{ index: 0 }] }, 'an imported private target is reported, not stored')
  t.equal((dataOf(t, await a.as(a.admin, { url: '/_admin/webhooks' })) as unknown as Row[]).length, 1)
})

t.test('a stored private target is refused again at delivery time, and nothing is sent', async (t) => {
  const a = await setup(t)
  const ctx = await appContext(a.app, a)
  const rx = await startReceiver()
  t.teardown(rx.close)
  const port = new URL(rx.url).port
  const hook = await adminCreate(a, 'webhooks', { entity: 'order', hook: 'after_write', url: 'https://hooks.example.com/x', retry: { max_attempts: 1 } })
  // As if saved under another configuration (WEBHOOK_ALLOW_PRIVATE then): the delivery checks again.
  await ctx.sql`UPDATE _webhooks SET url = ${`http://localhost:${port}/x`} WHERE id = ${String(hook.id)}`
  await adminCreate(a, 'webhooks', { entity: 'order', hook: 'after_delete', url: 'https://hooks.example.com/reload', active: false })
  dataOf(t, await a.as(a.admin, { method: 'POST', url: '/order', payload: { ref: 'A-1' } }), 201)
  const log = await eventually(async () => {
    const rows = await ctx.sql<Json[]>`SELECT * FROM _webhook_logs WHERE webhook_id = ${String(hook.id)} AND status = 'failed'`
    return rows[0]
  })
  t.match(log, { url: `http://localhost:${port}/x`, response_status: null, error: /loopback, private or link-local/ })
  t.equal(rx.requests.length, 0, 'the receiver got nothing')
})
