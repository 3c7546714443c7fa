import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { webhookRuntimeOf } from '../../lib/webhooks/module.js'
import { build, createTestApp, type TestApp } from '../helper.js'
import { startReceiver } from './webhooks-receiver.js'

// Issue 16 finding 7: webhook delivery concurrency is per app (docs/security.md).

const NOTE = { name: 'note', table: 'notes', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }] }

/** A receiver that reads requests and never answers (until closed). */
async function startSilentReceiver (): Promise<{ url: string, received: () => number, close: () => Promise<void> }> {
  let received = 0
  const server: Server = createServer((req: IncomingMessage) => { received++; req.resume() })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

async function withHook (t: Test, a: TestApp, url: string): Promise<void> {
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: NOTE })).statusCode, 201)
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: { entity: 'note', hook: 'after_write', url, timeout_ms: 60000 } })
  t.equal(res.statusCode, 201, res.body)
}

t.test('an app whose receiver never answers does not delay another app\'s delivery', async (t) => {
  const app = await build(t, { webhookPollIntervalMs: 100, webhookMaxInFlightPerApp: 10, webhookAllowPrivate: true })
  const silent = await startSilentReceiver()
  t.teardown(silent.close)
  const rx = await startReceiver()
  t.teardown(rx.close)
  const a = await createTestApp(app, 'hog')
  const b = await createTestApp(app, 'calm')
  await withHook(t, a, `${silent.url}/hang`)
  await withHook(t, b, `${rx.url}/fast`)

  for (let i = 0; i < 110; i++) {
    const res = await a.as(a.admin, { method: 'POST', url: '/note', payload: { title: `hog ${i}` } })
    if (res.statusCode !== 201) t.fail(res.body)
  }
  const ctxA = await app.platform.apps.get(a.name)
  const [pending] = await ctxA!.sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM _webhook_logs WHERE status = 'pending'`
  t.equal(pending?.n, 110, '110 deliveries of the hogging app are pending')
  // Let the scheduler run a few passes over both apps with the hog's budget full.
  await new Promise((resolve) => setTimeout(resolve, 500))

  const started = Date.now()
  t.equal((await b.as(b.admin, { method: 'POST', url: '/note', payload: { title: 'calm' } })).statusCode, 201)
  const [got] = await rx.waitFor('/fast', 1, 5000)
  const ms = Date.now() - started
  t.ok(ms < 1500, `the other app's delivery arrived in ${ms} ms`)
  t.match(JSON.parse(got!.body), { record: { title: 'calm' } }, 'with its payload')

  const runtime = webhookRuntimeOf(app.platform.engine)!
  t.ok(runtime.runningFor(a.name) <= 10, `the hogging app runs at most its budget (${runtime.runningFor(a.name)})`)
  t.ok(silent.received() <= 10, `its receiver got at most 10 requests (${silent.received()})`)
})
