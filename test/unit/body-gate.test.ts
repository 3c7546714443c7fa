import { EventEmitter } from 'node:events'
import t from 'tap'
import { BodyGate } from '../../lib/limits/body-gate.js'

/** A response as the gate sees it: a `close` event and, once closed, `closed`. */
class Response extends EventEmitter {
  closed = false
  close (): void { this.closed = true; this.emit('close') }
}

t.test('admits up to its size at once, the rest in arrival order as places free up', async (t) => {
  const gate = new BodyGate(2)
  const ran: number[] = []
  const res = [0, 1, 2, 3].map(() => new Response())
  res.forEach((r, i) => { gate.admit(r, () => { ran.push(i) }) })
  t.same(ran, [0, 1], 'two run at once')
  t.same(gate.stats, { running: 2, waiting: 2, peak: 2, waited: 2 })
  res[1]?.close()
  t.same(ran, [0, 1, 2], 'the first waiting one takes the freed place')
  res[0]?.close()
  t.same(ran, [0, 1, 2, 3])
  res[2]?.close()
  res[3]?.close()
  t.same(gate.stats, { running: 0, waiting: 0, peak: 2, waited: 2 }, 'every place given back')
})

t.test('a request whose response closes while it waits leaves the queue and never runs', async (t) => {
  const gate = new BodyGate(1)
  const ran: string[] = []
  const first = new Response()
  const gone = new Response()
  const third = new Response()
  gate.admit(first, () => { ran.push('first') })
  gate.admit(gone, () => { ran.push('gone') })
  gate.admit(third, () => { ran.push('third') })
  gone.close()
  t.equal(gate.stats.waiting, 1)
  first.close()
  t.same(ran, ['first', 'third'])
  third.close()
  t.same(gate.stats, { running: 0, waiting: 0, peak: 1, waited: 2 })
})

t.test('a response already closed when admitted gives its place back', async (t) => {
  const gate = new BodyGate(1)
  const closed = new Response()
  closed.closed = true
  let ran = false
  gate.admit(closed, () => { ran = true })
  t.ok(ran, 'its work still runs (it answers a gone client)')
  await new Promise<void>((resolve) => { queueMicrotask(resolve) })
  t.equal(gate.stats.running, 0)
  let next = false
  gate.admit(new Response(), () => { next = true })
  t.ok(next, 'the place is free for the next request')
})
