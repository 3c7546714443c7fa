import t from 'tap'
import { build, createTestApp } from '../helper.js'

// Sampling off: requests record nothing; business events are recorded all the same.
t.test('with sampling 0 only business events are written', async (t) => {
  const app = await build(t, { eventsSamplingRate: 0, eventsFlushIntervalMs: 60_000 })
  const a = await createTestApp(app, 'nosample')
  const entity = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', table: 'notes', fields: [{ name: 'id', type: 'uuid' }, { name: 'body', type: 'string' }] } })
  t.equal(entity.statusCode, 201, entity.body)
  const created = await a.as(a.admin, { method: 'POST', url: '/note', payload: { body: 'hi' }, headers: { traceparent: '00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-2222222222222222-01' } })
  t.equal(created.statusCode, 201)
  t.equal(created.headers['x-trace-id'], 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'trace ids still flow')
  t.equal((await a.as(a.admin, { url: '/note' })).statusCode, 200)
  const emitted = await a.as(a.admin, { method: 'POST', url: '/_events', payload: { event_type: 'note.shared', entity: 'note' } })
  t.equal(emitted.statusCode, 202, emitted.body)
  await app.events.flush()

  const ctx = await app.platform.apps.get(a.name)
  if (ctx === null) throw new Error('app not open')
  const rows = await ctx.sql<Array<{ event_type: string, source: string, parent_span_id: string | null }>>`SELECT event_type, source, parent_span_id FROM _events`
  t.same(rows.map((r) => ({ ...r })), [{ event_type: 'note.shared', source: 'business', parent_span_id: null }], 'the business event alone')
})
