import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { Sql } from '../../lib/db/connection.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { userToken } from './business-fixtures.js'
import { eventually, startReceiver } from './webhooks-receiver.js'

interface Span {
  id: string
  trace_id: string
  span_id: string | null
  parent_span_id: string | null
  event_type: string
  source: string
  component: string | null
  action: string | null
  entity: string | null
  record_id: string | null
  user_id: string | null
  duration_ms: number | null
  status: string | null
  metadata: Record<string, unknown> | null
  created_at: string
  depth?: number
  offset_ms?: number
}

const HEX32 = /^[0-9a-f]{32}$/

// Every request sampled; the buffer is flushed explicitly by the tests.
const server = build(t, { eventsSamplingRate: 1, eventsFlushIntervalMs: 60_000, webhookAllowPrivate: true })

async function setup (): Promise<{ app: FastifyInstance, a: TestApp, sql: Sql }> {
  const app = await server
  const a = await createTestApp(app, 'events')
  for (const payload of [
    { name: 'invoice', table: 'invoices', fields: [{ name: 'id', type: 'uuid' }, { name: 'number', type: 'string', required: true }] },
    { name: 'line', table: 'lines', fields: [{ name: 'id', type: 'uuid' }, { name: 'invoice_id', type: 'uuid', required: true }, { name: 'sku', type: 'string' }] }
  ]) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload })
    if (res.statusCode !== 201) throw new Error(res.body)
  }
  const rel = await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: { name: 'lines', type: 'one_to_many', source: 'invoice', target: 'line', source_key: 'id', target_key: 'invoice_id' } })
  if (rel.statusCode !== 201) throw new Error(rel.body)
  const ctx = await app.platform.apps.get(a.name)
  if (ctx === null) throw new Error('app not open')
  return { app, a, sql: ctx.sql }
}

async function events (a: TestApp, query: string): Promise<{ data: Span[], meta: { total: number, page: number, per_page: number } }> {
  const res = await a.as(a.admin, { url: `/_admin/events${query}` })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json()
}

t.test('every response carries a trace id: generated, from traceparent, from X-Trace-ID', async (t) => {
  const { a, app } = await setup()
  const plain = await a.as(a.admin, { url: '/invoice' })
  t.equal(plain.statusCode, 200)
  t.match(plain.headers['x-trace-id'], HEX32, 'generated: 16 random bytes in hex')
  const again = await a.as(a.admin, { url: '/invoice' })
  t.not(again.headers['x-trace-id'], plain.headers['x-trace-id'], 'a new one per request')

  const tp = await a.as(a.admin, { url: '/invoice', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } })
  t.equal(tp.headers['x-trace-id'], '4bf92f3577b34da6a3ce929d0e0e4736', 'trace-id part of traceparent')
  const both = await a.as(a.admin, { url: '/invoice', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b7-00', 'x-trace-id': 'other' } })
  t.equal(both.headers['x-trace-id'], '4bf92f3577b34da6a3ce929d0e0e4737', 'traceparent wins')
  const badTp = await a.as(a.admin, { url: '/invoice', headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'x-trace-id': 'fallback-1' } })
  t.equal(badTp.headers['x-trace-id'], 'fallback-1', 'an invalid traceparent is ignored')

  const given = await a.as(a.admin, { url: '/invoice', headers: { 'x-trace-id': 'my-trace_ID-42' } })
  t.equal(given.headers['x-trace-id'], 'my-trace_ID-42', 'X-Trace-ID accepted')
  for (const bad of ['has space', 'x'.repeat(65), 'semi;colon', 'dot.ted']) {
    const res = await a.as(a.admin, { url: '/invoice', headers: { 'x-trace-id': bad } })
    t.match(res.headers['x-trace-id'], HEX32, `invalid '${bad.slice(0, 10)}' replaced`)
  }

  const errors = [
    await a.as(null, { url: '/invoice' }),
    await a.as(a.admin, { url: '/nope' }),
    await a.as(a.admin, { method: 'POST', url: '/invoice', payload: {} }),
    await app.inject({ url: '/api/no_such_app/invoice' }),
    await app.inject({ url: '/no/route/here' }),
    await app.inject({ url: '/api/x/%E0%A4%A' }),
    await app.inject({ method: 'OPTIONS', url: `/api/${a.name}/invoice`, headers: { origin: 'http://a.test', 'access-control-request-method': 'GET' } })
  ]
  t.same(errors.map((r) => r.statusCode), [401, 404, 422, 404, 404, 400, 204])
  for (const res of errors) t.match(res.headers['x-trace-id'], HEX32, `on ${res.statusCode}`)
  const withId = await a.as(null, { url: '/invoice', headers: { 'x-trace-id': 'err-trace' } })
  t.equal(withId.headers['x-trace-id'], 'err-trace', 'a given id is echoed on errors too')
})

t.test('a sampled write records http, auth and write spans of one trace; the waterfall orders them', async (t) => {
  const { a, app } = await setup()
  const created = await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-1', lines: { data: [{ sku: 'A' }, { sku: 'B' }] } } })
  t.equal(created.statusCode, 201, created.body)
  const traceId = created.headers['x-trace-id'] as string
  const invoiceId = created.json().data.id as string
  await app.events.flush()

  const spans = (await events(a, `?trace_id=${traceId}`)).data
  const byType = new Map(spans.map((s) => [s.event_type, s]))
  t.same([...byType.keys()].sort(), ['auth.authenticate', 'http.request', 'write.create', 'write.nested'])
  t.ok(spans.every((s) => s.trace_id === traceId && s.source === 'system'), 'one trace, system spans')
  const http = byType.get('http.request') as Span
  const write = byType.get('write.create') as Span
  t.match(http, { component: 'http', action: 'POST /api/:app/:entity', entity: 'invoice', status: 'ok', parent_span_id: null, metadata: { status_code: 201 } })
  t.ok(typeof http.duration_ms === 'number' && http.duration_ms > 0, 'http duration')
  t.match(write, { component: 'write', action: 'create', entity: 'invoice', record_id: invoiceId, parent_span_id: http.span_id, metadata: { records: 3 } })
  t.ok(typeof write.duration_ms === 'number' && write.duration_ms <= (http.duration_ms ?? 0) + 1, 'the write lasts no longer than its request')
  t.ok(typeof http.user_id === 'string', 'the caller is recorded')
  const nested = spans.filter((s) => s.event_type === 'write.nested')
  t.equal(nested.length, 2, 'one span per nested child')
  t.ok(nested.every((s) => s.parent_span_id === write.span_id && s.entity === 'line' && s.action === 'create'))

  const wf = await a.as(a.admin, { url: `/_admin/events/trace/${traceId}` })
  t.equal(wf.statusCode, 200, wf.body)
  const w = wf.json().data as { trace_id: string, duration_ms: number, spans: Span[] }
  t.equal(w.trace_id, traceId)
  t.equal(w.spans.length, 5)
  t.equal(w.spans[0]?.event_type, 'http.request', 'the root first')
  t.same(w.spans.map((s) => s.depth), [0, 1, 1, 2, 2], 'http → auth, write → nested')
  t.same(w.spans.map((s) => s.event_type), ['http.request', 'auth.authenticate', 'write.create', 'write.nested', 'write.nested'])
  t.ok(w.spans.every((s, i) => i === 0 || (s.offset_ms ?? -1) >= 0), 'offsets from the trace start')
  t.ok(w.duration_ms >= (http.duration_ms ?? 0) - 1, 'the trace lasts as long as its request')
  expectError(t, await a.as(a.admin, { url: '/_admin/events/trace/0123456789abcdef0123456789abcdef' }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { url: '/_admin/events/trace/bad%20id' }), 400, 'INVALID_PAYLOAD')
})

t.test('reads record query spans; traceparent links to the caller; updates and deletes record write spans', async (t) => {
  const { a, app } = await setup()
  const inv = (await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-2' } })).json().data
  const list = await a.as(a.admin, { url: '/invoice', headers: { traceparent: '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-1111111111111111-01' } })
  const get = await a.as(a.admin, { url: `/invoice/${String(inv.id)}` })
  const upd = await a.as(a.admin, { method: 'PUT', url: `/invoice/${String(inv.id)}`, payload: { number: 'INV-2b' } })
  const del = await a.as(a.admin, { method: 'DELETE', url: `/invoice/${String(inv.id)}` })
  t.same([list.statusCode, get.statusCode, upd.statusCode, del.statusCode], [200, 200, 200, 200])
  await app.events.flush()

  const listSpans = (await events(a, '?trace_id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).data
  t.match(listSpans.find((s) => s.component === 'http'), { parent_span_id: '1111111111111111', action: 'GET /api/:app/:entity' }, 'child of the caller\'s span')
  t.match(listSpans.find((s) => s.component === 'query'), { event_type: 'query.list', action: 'list', entity: 'invoice', status: 'ok' })
  const getSpans = (await events(a, `?trace_id=${get.headers['x-trace-id'] as string}&component=query`)).data
  t.match(getSpans, [{ event_type: 'query.get', record_id: inv.id }])
  const updSpans = (await events(a, `?trace_id=${upd.headers['x-trace-id'] as string}&component=write`)).data
  t.match(updSpans, [{ event_type: 'write.update', entity: 'invoice', record_id: inv.id }])
  const byRecord = (await events(a, `?entity=invoice&record_id=${String(inv.id)}&event_type=write.delete`)).data
  t.equal(byRecord.length, 1, 'filter by entity, record and type')
  t.equal(byRecord[0]?.trace_id, del.headers['x-trace-id'])

  const failed = await a.as(a.admin, { method: 'PUT', url: `/invoice/${String(inv.id)}`, payload: { number: 'x' } })
  t.equal(failed.statusCode, 404)
  await app.events.flush()
  const failedSpans = (await events(a, `?trace_id=${failed.headers['x-trace-id'] as string}`)).data
  t.match(failedSpans.find((s) => s.component === 'http'), { status: 'error', metadata: { status_code: 404 } })
  t.notOk(failedSpans.some((s) => s.component === 'write'), 'a rolled-back write has no write span')

  const staff = await userToken(app, a, 'auth@events.test', ['staff'])
  await a.as(null, { url: '/invoice', headers: { 'x-trace-id': 'unauth-1' } })
  await a.as(staff, { url: '/_admin/events', headers: { 'x-trace-id': 'denied-1' } })
  await app.events.flush()
  t.match((await events(a, '?trace_id=unauth-1&component=auth')).data, [{ status: 'error', user_id: null }], 'no token: a failed auth span')
  t.match((await events(a, '?trace_id=denied-1&component=auth')).data, [{ status: 'error', action: 'authenticate' }], 'not admin: refused in the auth phase')
  t.match((await events(a, '?trace_id=denied-1&component=http')).data, [{ status: 'error', metadata: { status_code: 403 } }])
})

t.test('business events: validation, 202, recorded in the request\'s trace', async (t) => {
  const { a, app } = await setup()
  const staff = await userToken(app, a, 'staff@events.test', ['staff'])
  const bad: Array<[unknown, number, string]> = [
    [{}, 422, 'VALIDATION_FAILED'],
    [{ event_type: 'Order Shipped' }, 422, 'VALIDATION_FAILED'],
    [{ event_type: 'x'.repeat(101) }, 422, 'VALIDATION_FAILED'],
    [{ event_type: 7 }, 422, 'VALIDATION_FAILED'],
    [{ event_type: 'ok', metadata: [1, 2] }, 422, 'VALIDATION_FAILED'],
    [{ event_type: 'ok', metadata: { big: 'x'.repeat(9000) } }, 422, 'VALIDATION_FAILED'],
    [{ event_type: 'ok', metadata: { nul: 'a\u0000b' } }, 422, 'VALIDATION_FAILED'],
    [{ event_type: 'ok', entity: 'Bad-Name' }, 422, 'VALIDATION_FAILED'],
    [{ event_type: 'ok', record_id: { id: 1 } }, 422, 'VALIDATION_FAILED'],
    [{ event_type: 'ok', colour: 'red' }, 422, 'VALIDATION_FAILED'],
    [[{ event_type: 'ok' }], 400, 'INVALID_PAYLOAD']
  ]
  for (const [payload, status, code] of bad) {
    const res = await a.as(staff, { method: 'POST', url: '/_events', payload: payload as Record<string, unknown> })
    expectError(t, res, status, code)
  }
  const missing = await a.as(staff, { method: 'POST', url: '/_events', payload: { entity: 'invoice' } })
  t.match(missing.json().error.details, [{ field: 'event_type', rule: 'required' }])
  expectError(t, await a.as(null, { method: 'POST', url: '/_events', payload: { event_type: 'ok' } }), 401, 'UNAUTHORIZED')

  const ok = await a.as(staff, { method: 'POST', url: '/_events', headers: { 'x-trace-id': 'checkout-77' }, payload: { event_type: 'order.shipped', entity: 'invoice', record_id: 42, metadata: { carrier: 'ups', items: [1, 2] } } })
  t.equal(ok.statusCode, 202, ok.body)
  const body = ok.json().data as { id: string, trace_id: string }
  t.equal(body.trace_id, 'checkout-77')
  t.match(body.id, /^[0-9a-f-]{36}$/)
  await app.events.flush()
  const rows = (await events(a, '?source=business')).data
  t.equal(rows.length, 1)
  t.match(rows[0], { id: body.id, trace_id: 'checkout-77', event_type: 'order.shipped', source: 'business', entity: 'invoice', record_id: '42', metadata: { carrier: 'ups', items: [1, 2] } })
  t.ok(typeof rows[0]?.user_id === 'string', 'the emitting user')
  const http = (await events(a, '?trace_id=checkout-77&component=http')).data[0]
  t.equal(rows[0]?.parent_span_id, http?.span_id, 'a child of the request\'s http span')
})

t.test('admin queries: filters, pagination, errors, admin only', async (t) => {
  const { a, app } = await setup()
  for (let i = 0; i < 3; i++) await a.as(a.admin, { method: 'POST', url: '/_events', payload: { event_type: `page.view${i % 2}` } })
  await app.events.flush()
  const page = await events(a, '?source=business&per_page=2')
  t.same(page.meta, { page: 1, per_page: 2, total: 3 })
  t.equal(page.data.length, 2)
  t.ok(page.data[0] !== undefined && page.data[1] !== undefined && page.data[0].created_at >= page.data[1].created_at, 'newest first')
  t.equal((await events(a, '?event_type=page.view0')).meta.total, 2)
  const future = new Date(Date.now() + 3600_000).toISOString()
  t.equal((await events(a, `?source=business&from=${future}`)).meta.total, 0, 'from')
  t.equal((await events(a, `?source=business&to=${future}`)).meta.total, 3, 'to')
  t.equal((await events(a, '?user_id=00000000-0000-0000-0000-000000000000')).meta.total, 0, 'user_id')

  for (const q of ['?colour=red', '?user_id=nope', '?from=yesterday', '?source=other', '?page=0', `?from=${future}&to=2020-01-01T00:00:00Z`, '?trace_id=a%20b']) {
    expectError(t, await a.as(a.admin, { url: `/_admin/events${q}` }), 400, 'INVALID_PAYLOAD')
  }
  const staff = await userToken(app, a, 'viewer@events.test', ['staff'])
  for (const url of ['/_admin/events', '/_admin/events/stats', `/_admin/events/trace/${'a'.repeat(32)}`]) {
    expectError(t, await a.as(staff, { url }), 403, 'FORBIDDEN')
  }
  expectError(t, await a.as(null, { url: '/_admin/events' }), 401, 'UNAUTHORIZED')
})

t.test('stats: counts per type and source, percentiles per component', async (t) => {
  const { a, sql } = await setup()
  const at = '2030-01-01T12:00:00Z'
  for (const [type, component, duration, status] of [
    ['write.create', 'write', 10, 'ok'], ['write.create', 'write', 20, 'ok'], ['write.update', 'write', 30, 'error'], ['write.create', 'write', 40, 'ok'],
    ['http.request', 'http', 100, 'ok']
  ] as const) {
    await sql`INSERT INTO _events (trace_id, event_type, source, component, duration_ms, status, created_at) VALUES ('stats', ${type}, 'system', ${component}, ${duration}, ${status}, ${at})`
  }
  await sql`INSERT INTO _events (trace_id, event_type, source, created_at) VALUES ('stats', 'signup', 'business', ${at})`
  await sql`INSERT INTO _events (trace_id, event_type, source, component, duration_ms, created_at) VALUES ('stats', 'write.create', 'system', 'write', 999, '2030-01-03T00:00:00Z')`

  const res = await a.as(a.admin, { url: '/_admin/events/stats?from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00Z' })
  t.equal(res.statusCode, 200, res.body)
  const s = res.json().data
  t.equal(s.total, 6, 'only the window')
  t.same(s.by_type, [
    { event_type: 'write.create', source: 'system', count: 3 },
    { event_type: 'http.request', source: 'system', count: 1 },
    { event_type: 'signup', source: 'business', count: 1 },
    { event_type: 'write.update', source: 'system', count: 1 }
  ])
  t.same(s.by_component, [
    { component: 'http', count: 1, errors: 0, p50_ms: 100, p95_ms: 100, max_ms: 100 },
    { component: 'write', count: 4, errors: 1, p50_ms: 25, p95_ms: 38.5, max_ms: 40 }
  ])
  t.equal(s.sampling_rate, 1)
  const recent = (await a.as(a.admin, { url: '/_admin/events/stats' })).json().data
  t.equal(recent.total, 0, 'default window: the last 24 hours')
  expectError(t, await a.as(a.admin, { url: '/_admin/events/stats?from=soon' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/_admin/events/stats?entity=x' }), 400, 'INVALID_PAYLOAD')
})

t.test('retention deletes events older than EVENTS_RETENTION_DAYS, in every open app', async (t) => {
  const { app, sql } = await setup()
  await sql`INSERT INTO _events (trace_id, event_type, created_at) SELECT 'old', 'x', now() - interval '8 days' FROM generate_series(1, 12)`
  await sql`INSERT INTO _events (trace_id, event_type, created_at) VALUES ('recent', 'x', now() - interval '6 days'), ('new', 'x', now())`
  const deleted = await app.events.cleanup()
  t.ok(deleted >= 12, `deleted ${deleted}`)
  const left = await sql<Array<{ trace_id: string }>>`SELECT trace_id FROM _events WHERE trace_id IN ('old', 'recent', 'new') ORDER BY trace_id`
  t.same(left.map((r) => r.trace_id), ['new', 'recent'])
})

t.test('webhook delivery attempts are spans of a trace per delivery', async (t) => {
  const { a, app } = await setup()
  const rx = await startReceiver()
  t.teardown(rx.close)
  rx.respond('/down', () => ({ status: 503 }))
  for (const path of ['/ok', '/down']) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: { entity: 'invoice', hook: 'after_write', url: `${rx.url}${path}`, retry: { max_attempts: 1 } } })
    t.equal(res.statusCode, 201, res.body)
  }
  t.equal((await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'WH-1' } })).statusCode, 201)
  const spans = await eventually(async () => {
    await app.events.flush()
    const rows = (await events(a, '?component=webhook')).data
    return rows.length === 2 ? rows : undefined
  })
  const ok = spans.find((s) => s.status === 'ok')
  const failed = spans.find((s) => s.status === 'error')
  t.match(ok, { event_type: 'webhook.delivery', action: 'after_write', entity: 'invoice', metadata: { outcome: 'delivered', response_status: 200, attempt: 1 } })
  t.match(failed, { metadata: { outcome: 'failed', response_status: 503 } })
  t.equal(ok?.trace_id, `webhook-${String(ok?.metadata?.log_id)}`, 'the trace of the delivery')
  t.ok(typeof ok?.duration_ms === 'number')
})
