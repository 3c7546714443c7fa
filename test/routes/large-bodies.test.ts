import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

// Large JSON bodies wait for a place of their app's gate before they are parsed
// (docs/ARCHITECTURE.md, "Large bodies"); here a body of 2,048 characters or more is large and
// each app handles one at a time.
let app: Awaited<ReturnType<typeof build>>
let a: TestApp
let b: TestApp

t.before(async () => {
  app = await build(t, { largeBodyBytes: 2048, largeBodyConcurrency: 1 })
  a = await createTestApp(app, 'lb')
  b = await createTestApp(app, 'lb')
  for (const x of [a, b]) {
    const res = await x.as(x.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', fields: [{ name: 'id', type: 'uuid' }, { name: 'body', type: 'string' }] } })
    t.equal(res.statusCode, 201, `note entity created in ${x.name}`)
  }
})

const bulk = (tag: string): Array<{ body: string }> => Array.from({ length: 40 }, (_, i) => ({ body: `${tag} note ${i} ${'x'.repeat(40)}` }))

t.test('concurrent large bodies are handled one at a time per app, and every one is answered', async (t) => {
  const bodies = ['a', 'b', 'c', 'd', 'e', 'f'].map(bulk)
  t.ok(JSON.stringify(bodies[0]).length >= 2048, 'each body is large')
  const answers = await Promise.all(bodies.map(async (payload) => await a.as(a.admin, { method: 'POST', url: '/note', payload })))
  for (const [i, res] of answers.entries()) {
    t.equal(res.statusCode, 201, res.body.slice(0, 200))
    const data = res.json().data as Array<{ body: string }>
    t.equal(data.length, 40)
    t.equal(data[0]?.body, bodies[i]?.[0]?.body, 'each request got its own records')
  }
  const stats = app.largeBodyGate(a.name).stats
  t.match(stats, { running: 0, waiting: 0, peak: 1 }, 'never two at once; every place given back')
  t.ok(stats.waited > 0, `requests waited for their turn (${stats.waited})`)
  t.equal(app.largeBodyGate(b.name).stats.peak, 0, 'another app has a gate of its own')
  const listed = await a.as(a.admin, { url: '/note?per_page=1' })
  t.equal(listed.json().meta.total, 240)
})

t.test('small bodies do not pass through the gate', async (t) => {
  const res = await b.as(b.admin, { method: 'POST', url: '/note', payload: { body: 'short' } })
  t.equal(res.statusCode, 201, res.body)
  t.equal(app.largeBodyGate(b.name).stats.peak, 0)
})

t.test('a large body that fails (malformed, invalid) still gives its place back', async (t) => {
  const malformed = await b.as(b.admin, { method: 'POST', url: '/note', headers: { 'content-type': 'application/json' }, payload: `[${'{"body":"x"},'.repeat(300)}` })
  expectError(t, malformed, 400, 'INVALID_PAYLOAD')
  const invalid = await b.as(b.admin, { method: 'POST', url: '/note', payload: [...bulk('ok'), { body: 42 }] })
  t.match(expectError(t, invalid, 422, 'VALIDATION_FAILED').details, [{ index: 40, rule: 'record' }, { field: 'body', rule: 'type' }], 'the bad record and its field are named')
  t.match(app.largeBodyGate(b.name).stats, { running: 0, waiting: 0, peak: 1 })
  const count = await b.as(b.admin, { url: '/note?per_page=1' })
  t.equal(count.json().meta.total, 1, 'nothing of the failed bulk was written')
  const after = await b.as(b.admin, { method: 'POST', url: '/note', payload: bulk('after') })
  t.equal(after.statusCode, 201, 'the next large body is admitted')
})

t.test('a client sending a large body slowly holds no place (real HTTP)', async (t) => {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const body = JSON.stringify(bulk('slow'))
  // Headers and half the body, then nothing: the request is still arriving.
  const slow = connect(port, '127.0.0.1')
  t.teardown(() => { slow.destroy() })
  await new Promise<void>((resolve) => { slow.once('connect', resolve) })
  slow.write(`POST /api/${a.name}/note HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${a.admin}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 1000)}`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const res = await fetch(`http://127.0.0.1:${port}/api/${a.name}/note`, { method: 'POST', headers: { authorization: `Bearer ${a.admin}`, 'content-type': 'application/json' }, body: JSON.stringify(bulk('fast')) })
  t.equal(res.status, 201, 'a complete large body is admitted while the slow one is still arriving')
  t.equal(app.largeBodyGate(a.name).stats.running, 0)
})
