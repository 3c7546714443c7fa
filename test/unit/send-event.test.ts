// The metadata of a `send_event` action: evaluated data, never something `_events` cannot store.
import t from 'tap'
import { checkSendEvent, sendEventMetadata } from '../../lib/events/send-event.js'
import { Problems } from '../../lib/rules/problems.js'

t.test('data expressions are evaluated over the scope; failures become null', async (t) => {
  const scope = { record: { title: 'A', n: 2, tags: ['x'] }, user: { email: 'u@x.test' } }
  t.equal(sendEventMetadata(undefined, scope), null, 'no data, no metadata')
  t.same(sendEventMetadata({ t: 'record.title', twice: 'record.n * 2', who: 'user.email', missing: 'record.nope', bad: 'record.(' }, scope),
    { t: 'A', twice: 4, who: 'u@x.test', missing: null, bad: null })
  t.same(sendEventMetadata({ nul: "'a' + record.z" }, { record: { z: 'b\u0000c' } }), { dropped: 'the data held a NUL character' })
  t.match(sendEventMetadata({ big: 'record.s' }, { record: { s: 'x'.repeat(9000) } }), { dropped: /exceeded 8192 bytes/ })
  const when = sendEventMetadata({ at: 'now' }, { now: new Date(0) })
  t.same(when, { at: '1970-01-01T00:00:00.000Z' }, 'dates as ISO strings')
})

t.test('definitions are checked when saved', async (t) => {
  const ok = new Problems()
  checkSendEvent({ type: 'send_event', event: 'Order Shipped', data: { id: 'record.id' } }, 'a', ok)
  t.same(ok.details, [], 'any printable name up to 100 characters')
  for (const [action, field] of [
    [{ type: 'send_event', event: 'x'.repeat(101) }, 'a.event'],
    [{ type: 'send_event', event: 'a\nb' }, 'a.event'],
    [{ type: 'send_event', event: 'x', data: { k: 1 } }, 'a.data.k'],
    [{ type: 'send_event', event: 'x', data: 'record.id' }, 'a.data']
  ] as const) {
    const p = new Problems()
    checkSendEvent(action, 'a', p)
    t.ok(p.details.some((d) => d.field === field), `${field} refused`)
  }
})
