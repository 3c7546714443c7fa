// Issue 16 finding 1: webhook header templates read only ROCKET_WEBHOOK_ENV_* variables
// (docs/security.md). Deliveries go to a real local HTTP receiver.
import t, { type Test } from 'tap'
import type { Config } from '../../config/index.js'
import type { AppContext } from '../../lib/apps/context.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { eventually, startReceiver, type Receiver } from './webhooks-receiver.js'

// Response bodies are read loosely, as a client would.
type Json = Record<string, any>

const TICKET = {
  name: 'ticket',
  table: 'tickets',
  fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }, { name: 'status', type: 'string', default: 'open', enum: ['open', 'closed'] }]
}

// Local receivers are private addresses: allowed for this file (the SSRF guard's development switch).
process.env.WEBHOOK_ALLOW_PRIVATE = 'true'
const allowPrivate = { webhookAllowPrivate: true } as Record<string, unknown> as Partial<Config>

interface Setup { a: TestApp, rx: Receiver, ctx: AppContext }

async function setup (t: Test): Promise<Setup> {
  const app = await build(t, { webhookPollIntervalMs: 50, webhookBackoffBaseMs: 50, ...allowPrivate })
  const a = await createTestApp(app, 'whenv')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: TICKET })).statusCode, 201)
  const rx = await startReceiver()
  t.teardown(rx.close)
  const ctx = await app.platform.apps.get(a.name)
  if (ctx === null) throw new Error('app not open')
  return { a, rx, ctx }
}

async function logOf (a: TestApp, webhookId: string, status: string): Promise<Json> {
  return await eventually(async () => {
    const res = await a.as(a.admin, { url: `/_admin/webhook-logs?webhook_id=${webhookId}&status=${status}` })
    return (res.json().data as Json[])[0]
  })
}

function namesEnv (t: Test, res: { json: () => any }, field: string): void {
  const details = res.json().error.details as Json[]
  t.ok(details.some((d) => d.field === field && d.rule === 'env'), `${field} refused with rule env (${JSON.stringify(details).slice(0, 300)})`)
}

t.test('the attack from the issue is refused on save; nothing reaches the receiver', async (t) => {
  const { a, rx } = await setup(t)
  const leak = await a.as(a.admin, {
    method: 'POST',
    url: '/_admin/webhooks',
    payload: { entity: 'ticket', hook: 'after_write', url: `${rx.url}/leak`, headers: { 'X-Leak': '{{env.HOME}} {{env.PATH}}' } }
  })
  expectError(t, leak, 422, 'VALIDATION_FAILED')
  namesEnv(t, leak, 'headers.X-Leak')
  t.notOk(leak.body.includes(process.env.PATH ?? '/usr/bin'), 'no value in the answer')
  for (const name of ['PLATFORM_JWT_SECRET', 'DATABASE_URL', 'JWT_SECRET', 'ROCKET_WEBHOOK_ENV_', 'rocket_webhook_env_KEY']) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: { entity: 'ticket', hook: 'after_write', url: `${rx.url}/leak`, headers: { 'X-Key': `Bearer {{ env.${name} }}` } } })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    namesEnv(t, res, 'headers.X-Key')
  }
  // An update cannot smuggle it in either.
  const ok = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: { entity: 'ticket', hook: 'after_write', url: `${rx.url}/leak` } })
  t.equal(ok.statusCode, 201, ok.body)
  const upd = await a.as(a.admin, { method: 'PUT', url: `/_admin/webhooks/${String(ok.json().data.id)}`, payload: { headers: { 'X-Leak': '{{env.HOME}}' } } })
  expectError(t, upd, 422, 'VALIDATION_FAILED')
  namesEnv(t, upd, 'headers.X-Leak')
  const stored = await a.as(a.admin, { url: `/_admin/webhooks/${String(ok.json().data.id)}` })
  t.same(stored.json().data.headers, {}, 'the refused update left the webhook as it was')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'x' } })).statusCode, 201)
  await rx.waitFor('/leak', 1)
  t.equal(rx.on('/leak')[0]?.headers['x-leak'], undefined, 'the receiver got no leaked header')
})

t.test('state-machine and workflow webhook actions, and import, refuse other variables too', async (t) => {
  const { a, rx } = await setup(t)
  const machine = {
    entity: 'ticket',
    field: 'status',
    definition: { initial: 'open', transitions: [{ from: 'open', to: 'closed', actions: [{ type: 'webhook', url: `${rx.url}/sm`, headers: { 'X-Leak': '{{env.DATABASE_URL}}' } }] }] }
  }
  const sm = await a.as(a.admin, { method: 'POST', url: '/_admin/state-machines', payload: machine })
  expectError(t, sm, 422, 'VALIDATION_FAILED')
  namesEnv(t, sm, 'definition.transitions[0].actions[0].headers.X-Leak')

  const workflow = {
    name: 'leak',
    trigger: { type: 'state_change', entity: 'ticket', field: 'status', to: 'closed' },
    steps: [{ id: 'tell', type: 'action', actions: [{ type: 'webhook', url: `${rx.url}/wf`, headers: { 'X-Leak': '{{env.PLATFORM_JWT_SECRET}}' } }] }]
  }
  const wf = await a.as(a.admin, { method: 'POST', url: '/_admin/workflows', payload: workflow })
  expectError(t, wf, 422, 'VALIDATION_FAILED')
  namesEnv(t, wf, 'steps[0].actions[0].headers.X-Leak')

  const imported = await a.as(a.admin, {
    method: 'POST',
    url: '/_admin/import',
    payload: { version: 1, webhooks: [{ entity: 'ticket', hook: 'after_write', url: `${rx.url}/imp`, headers: { 'X-Leak': '{{env.HOME}}' } }], state_machines: [machine], workflows: [workflow] }
  })
  t.equal(imported.statusCode, 200, imported.body)
  const report = imported.json().data ?? imported.json()
  for (const kind of ['webhooks', 'state_machines', 'workflows']) {
    t.equal(report[kind].created.length, 0, `${kind}: nothing imported`)
    t.equal(report[kind].errors.length, 1, `${kind}: the item is reported`)
  }
  const list = await a.as(a.admin, { url: '/_admin/webhooks' })
  t.same(list.json().data, [], 'no webhook stored')

  // The allowed form is accepted everywhere.
  const allowed = { 'X-Key': '{{env.ROCKET_WEBHOOK_ENV_CRM_KEY}}' }
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/state-machines', payload: { ...machine, definition: { ...machine.definition, transitions: [{ from: 'open', to: 'closed', actions: [{ type: 'webhook', url: `${rx.url}/sm`, headers: allowed }] }] } } })).statusCode, 201)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/workflows', payload: { ...workflow, steps: [{ id: 'tell', type: 'action', actions: [{ type: 'webhook', url: `${rx.url}/wf`, headers: allowed }] }] } })).statusCode, 201)
})

t.test('an allowed variable is delivered; a missing one fails the delivery naming only itself', async (t) => {
  const { a, rx } = await setup(t)
  process.env.ROCKET_WEBHOOK_ENV_CRM_KEY = 'crm-key-value'
  t.teardown(() => { delete process.env.ROCKET_WEBHOOK_ENV_CRM_KEY })
  const good = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: { entity: 'ticket', hook: 'after_write', url: `${rx.url}/good`, headers: { Authorization: 'Bearer {{env.ROCKET_WEBHOOK_ENV_CRM_KEY}}' } } })
  t.equal(good.statusCode, 201, good.body)
  const missing = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: { entity: 'ticket', hook: 'after_write', url: `${rx.url}/missing`, headers: { 'X-Key': '{{env.ROCKET_WEBHOOK_ENV_NOT_SET}}' }, retry: { max_attempts: 1 } } })
  t.equal(missing.statusCode, 201, missing.body)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'x' } })).statusCode, 201)

  const [req] = await rx.waitFor('/good', 1)
  t.equal(req?.headers.authorization, 'Bearer crm-key-value', 'resolved at delivery')
  const delivered = await logOf(a, good.json().data.id, 'delivered')
  t.notOk(JSON.stringify(delivered).includes('crm-key-value'), 'the log keeps the template, not the value')

  const failed = await logOf(a, missing.json().data.id, 'failed')
  t.equal(failed.error, 'header X-Key: environment variable ROCKET_WEBHOOK_ENV_NOT_SET is not set')
  t.equal(rx.on('/missing').length, 0, 'nothing sent without the header')
})

t.test('a template stored before the rule is refused at delivery without a lookup', async (t) => {
  const { a, rx, ctx } = await setup(t)
  const wh = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: { entity: 'ticket', hook: 'after_write', url: `${rx.url}/old`, retry: { max_attempts: 1 } } })
  t.equal(wh.statusCode, 201, wh.body)
  const id = wh.json().data.id as string
  await ctx.sql`UPDATE _webhooks SET headers = ${ctx.sql.json({ 'X-Leak': '{{env.HOME}}', 'X-Probe': '{{env.SURELY_NOT_SET_ANYWHERE}}' })} WHERE id = ${id}`
  await ctx.reload()
  t.equal((await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'x' } })).statusCode, 201)
  const failed = await logOf(a, id, 'failed')
  t.equal(failed.error, 'header X-Leak: only ROCKET_WEBHOOK_ENV_* variables may be used')
  t.notOk(JSON.stringify(failed).includes(process.env.HOME ?? '/root'), 'no value anywhere in the log')
  t.equal(rx.on('/old').length, 0, 'nothing delivered')
})

t.test('a state machine stored with another variable still enforces transitions; its delivery fails', async (t) => {
  const { a, rx, ctx } = await setup(t)
  const machine = {
    entity: 'ticket',
    field: 'status',
    definition: { initial: 'open', transitions: [{ from: 'open', to: 'closed', actions: [{ type: 'webhook', url: `${rx.url}/sm-old`, headers: { 'X-Key': '{{env.ROCKET_WEBHOOK_ENV_OK}}' } }] }] }
  }
  const saved = await a.as(a.admin, { method: 'POST', url: '/_admin/state-machines', payload: machine })
  t.equal(saved.statusCode, 201, saved.body)
  const stale = { ...machine.definition, transitions: [{ ...machine.definition.transitions[0], actions: [{ type: 'webhook', url: `${rx.url}/sm-old`, headers: { 'X-Leak': '{{env.HOME}}' } }] }] }
  await ctx.sql`UPDATE _state_machines SET definition = ${ctx.sql.json(stale)} WHERE id = ${saved.json().data.id as string}`
  await ctx.reload()
  const ticket = await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'x' } })
  const id = ticket.json().data.id as string
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/ticket/${id}`, payload: { status: 'closed' } })).statusCode, 200, 'the machine still runs')
  const back = await a.as(a.admin, { method: 'PUT', url: `/ticket/${id}`, payload: { status: 'open' } })
  expectError(t, back, 422, 'VALIDATION_FAILED')
  t.match(back.body, /closed/, 'and refuses a transition it does not define')
  const log = await eventually(async () => {
    const res = await a.as(a.admin, { url: '/_admin/webhook-logs?status=failed' })
    return (res.json().data as Json[]).find((l) => l.hook === 'state_machine')
  })
  t.equal(log.error, 'header X-Leak: only ROCKET_WEBHOOK_ENV_* variables may be used')
  t.equal(rx.on('/sm-old').length, 0, 'nothing delivered')
})
