import t from 'tap'
import type { AppContext } from '../../lib/apps/context.js'
import { parseBusinessEvent } from '../../lib/events/business.js'
import { EventBuffer } from '../../lib/events/buffer.js'
import { parseTraceparent, traceIdOf, uuidv7 } from '../../lib/events/ids.js'
import { Instrumenter, eventSettings } from '../../lib/events/instrumenter.js'
import type { EventRow, StoredEvent } from '../../lib/events/types.js'
import { buildWaterfall } from '../../lib/events/waterfall.js'
import { eventJson } from '../../lib/events/write.js'

const appA = { name: 'a' } as unknown as AppContext
const appB = { name: 'b' } as unknown as AppContext

function row (n: number, extra: Partial<EventRow> = {}): EventRow {
  return {
    id: `id${String(n).padStart(4, '0')}`,
    trace_id: 't',
    span_id: `s${n}`,
    parent_span_id: null,
    event_type: 'x',
    source: 'system',
    component: null,
    action: null,
    entity: null,
    record_id: null,
    user_id: null,
    duration_ms: null,
    status: null,
    metadata: null,
    created_at: 1_000_000 + n,
    ...extra
  }
}

function stored (n: number, extra: Partial<StoredEvent> = {}): StoredEvent {
  return { ...row(n), created_at: new Date(1_000_000 + n), ...extra }
}

t.test('trace ids: traceparent, X-Trace-ID, generated', async (t) => {
  t.same(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', sampled: true })
  t.equal(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.sampled, false)
  for (const bad of ['ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', 'garbage']) {
    t.equal(parseTraceparent(bad), null, bad)
  }
  t.equal(traceIdOf({ headers: { 'x-trace-id': 'abc_DEF-1' } }), 'abc_DEF-1')
  t.match(traceIdOf({ headers: { 'x-trace-id': 'a b' } }), /^[0-9a-f]{32}$/)
  const ids = new Set(Array.from({ length: 1000 }, () => traceIdOf({ headers: {} })))
  t.equal(ids.size, 1000, 'random ids do not repeat')
})

t.test('sampling: the rate, forced by a traceparent flag within a budget, off at 0', async (t) => {
  const all = new Instrumenter({ ...eventSettings(), samplingRate: 1 })
  t.ok(all.startRequest('t1', {}) !== null)
  const none = new Instrumenter({ ...eventSettings(), samplingRate: 0 })
  t.equal(none.startRequest('4bf92f3577b34da6a3ce929d0e0e4736', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }), null, 'rate 0: never')
  const off = new Instrumenter({ ...eventSettings(), enabled: false, samplingRate: 1 })
  t.equal(off.startRequest('t1', {}), null, 'disabled')
  const tiny = new Instrumenter({ ...eventSettings(), samplingRate: 1e-9, maxForcedPerSecond: 3 })
  const tp = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }
  const forced = Array.from({ length: 10 }, () => tiny.startRequest('4bf92f3577b34da6a3ce929d0e0e4736', tp))
  t.equal(forced.filter((x) => x !== null).length, 3, 'forced sampling is bounded per second')
  t.equal(forced[0]?.parentSpanId, '00f067aa0ba902b7', 'the caller\'s span becomes the parent')
  t.equal(tiny.startRequest('other', tp), null, 'a traceparent of another trace does not force')
})

t.test('buffer: batches per app, flushes at the batch size and on the interval, bounded, closes', async (t) => {
  const writes: Array<{ app: string, n: number }> = []
  const buffer = new EventBuffer({ flushIntervalMs: 20, batchSize: 3, maxBuffered: 5, write: async (app, rows) => { writes.push({ app: app.name, n: rows.length }) } })
  buffer.push(appA, [row(1), row(2)])
  buffer.push(appB, [row(3)])
  t.same(writes, [], 'nothing written below the batch size')
  buffer.push(appA, [row(4)])
  await new Promise((resolve) => setImmediate(resolve))
  t.same(writes, [{ app: 'a', n: 3 }], 'a full batch starts at once')
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(writes, [{ app: 'a', n: 3 }, { app: 'b', n: 1 }], 'the interval writes the rest')
  buffer.push(appA, [row(5), row(6)])
  await buffer.close()
  t.same(writes.at(-1), { app: 'a', n: 2 }, 'close flushes')
  buffer.push(appA, [row(12)])
  t.equal(buffer.dropped, 1, 'after close events are dropped')
  t.equal(buffer.written, 6)
})

t.test('buffer: drops the oldest beyond the bound and a failed batch, never throws', async (t) => {
  const seen: string[] = []
  let fail = true
  const warnings: unknown[] = []
  const buffer = new EventBuffer({
    flushIntervalMs: 10_000,
    batchSize: 100,
    maxBuffered: 4,
    write: async (_app, rows) => {
      if (fail) throw new Error('db down')
      seen.push(...rows.map((r) => r.id))
    },
    log: { warn: (obj) => warnings.push(obj) }
  })
  buffer.push(appA, [1, 2, 3, 4, 5, 6].map((n) => row(n)))
  t.equal(buffer.dropped, 2)
  t.equal(buffer.pending, 4)
  await buffer.flush()
  t.equal(buffer.dropped, 6, 'the failed batch is dropped')
  t.equal(warnings.length, 1, 'warned once')
  fail = false
  buffer.push(appA, [row(7)])
  await buffer.flush()
  t.same(seen, ['id0007'])
})

t.test('waterfall: depth-first, siblings by start, orphans and cycles as roots', async (t) => {
  const rows = [
    stored(1, { span_id: 'http', duration_ms: 10 }),
    stored(5, { span_id: 'write', parent_span_id: 'http', duration_ms: 4 }),
    stored(1, { id: 'idauth', span_id: 'auth', parent_span_id: 'http', duration_ms: 1 }),
    stored(6, { span_id: 'nested', parent_span_id: 'write' }),
    stored(2, { span_id: 'lost', parent_span_id: 'elsewhere', duration_ms: 1 }),
    stored(8, { span_id: 'c1', parent_span_id: 'c2' }),
    stored(9, { span_id: 'c2', parent_span_id: 'c1' })
  ]
  const w = buildWaterfall(rows)
  t.same(w?.spans.map((s) => [s.span_id, s.depth, s.offset_ms]), [
    ['http', 0, 0], ['auth', 1, 0], ['write', 1, 4], ['nested', 2, 5], ['lost', 0, 1], ['c1', 0, 7], ['c2', 1, 8]
  ])
  t.equal(w?.duration_ms, 10)
  t.equal(buildWaterfall([]), null)
})

// The shape (keys, event_type pattern, types) is the route schema's, tested through the route (test/routes/events.test.ts).
t.test('business event validation beyond the route schema', async (t) => {
  t.same(parseBusinessEvent({ event_type: 'order.shipped', record_id: 5 }), { event_type: 'order.shipped', entity: null, record_id: '5', metadata: null })
  t.throws(() => parseBusinessEvent({ event_type: 'ok', record_id: 'a\nb' }), { code: 'VALIDATION_FAILED' })
  t.throws(() => parseBusinessEvent({ event_type: 'ok', metadata: { nul: 'a\u0000b' } }), { code: 'VALIDATION_FAILED' })
})

t.test('uuidv7: version 7, variant, ordered by time', async (t) => {
  const a = uuidv7(1_700_000_000_000)
  const b = uuidv7(1_700_000_000_001)
  t.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.ok(a < b, 'a later ms sorts after')
  t.equal(a.slice(0, 13), '018bcfe5-6800', 'the timestamp leads')
  t.not(uuidv7(5), uuidv7(5), 'random within one ms')
})

t.test('event JSON: nulls left out, texts escaped, time as epoch ms', async (t) => {
  const json = eventJson(row(1, { action: 'GET "/x"\\n', entity: 'a\tb', metadata: { q: '"' }, duration_ms: 1.5, status: 'ok', created_at: 1700000000123.456 }))
  t.same(JSON.parse(json), { id: 'id0001', trace_id: 't', event_type: 'x', source: 'system', created_ms: 1700000000123.456, span_id: 's1', action: 'GET "/x"\\n', entity: 'a\tb', duration_ms: 1.5, status: 'ok', metadata: { q: '"' } })
  t.notMatch(json, /null/, 'no null column is sent')
})
