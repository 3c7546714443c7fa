import { randomBytes } from 'node:crypto'
import t from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { connect, withDatabase } from '../../lib/db/connection.js'
import { stopTestServer, testServerUrl } from '../db-helper.js'
import { createTestApp } from '../helper.js'

t.teardown(stopTestServer)

/** Two server processes on one management database, as behind a load balancer. */
async function twoServers (t: Tap): Promise<[Awaited<ReturnType<typeof buildApp>>, Awaited<ReturnType<typeof buildApp>>]> {
  const url = withDatabase(await testServerUrl(), `rocket_mgmt_${randomBytes(4).toString('hex')}`)
  const config = loadConfig({ LOG_LEVEL: 'silent', APP_POOL_IDLE_TIMEOUT: '1' }, { databaseUrl: url })
  const one = await buildApp({ config })
  const two = await buildApp({ config })
  t.teardown(async () => { await one.close(); await two.close() })
  return [one, two]
}
type Tap = import('tap').Test

t.test('a metadata change in one process reaches the other within a second', async (t) => {
  const [one, two] = await twoServers(t)
  const a = await createTestApp(one)
  const via2 = async (url: string, method: 'GET' | 'POST' = 'GET', payload?: Record<string, unknown>): Promise<ReturnType<typeof two.inject>> =>
    await two.inject({ method, url: `/api/${a.name}${url}`, headers: { authorization: `Bearer ${a.admin}` }, ...(payload !== undefined ? { payload } : {}) })
  t.equal((await via2('/_admin/entities')).statusCode, 200, 'app known to the second process')
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'gadget', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }] } })
  t.equal(created.statusCode, 201)
  const started = Date.now()
  let status = 0
  while (Date.now() - started < 2000) {
    status = (await via2('/gadget', 'POST', { name: 'x' })).statusCode
    if (status === 201) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.equal(status, 201, 'second process serves the new entity')
  t.ok(Date.now() - started < 1000, `propagated in ${Date.now() - started} ms`)
})

t.test('idle app pools release their connections', async (t) => {
  const [one] = await twoServers(t)
  const a = await createTestApp(one)
  t.equal((await a.as(a.admin, { url: '/_admin/entities' })).statusCode, 200)
  const monitor = connect(withDatabase(await testServerUrl(), 'postgres'), { max: 1 })
  t.teardown(async () => { await monitor.end() })
  const count = async (): Promise<number> => {
    const rows = await monitor<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ${`rocket_${a.name}`}`
    return rows[0]?.n ?? 0
  }
  t.ok(await count() > 0, 'the app holds connections while busy')
  // The timeout is 1 s; a loaded machine (the suite runs files in parallel) is given
  // up to 15 s for the timers to fire and the backends to exit.
  const started = Date.now()
  let open = await count()
  while (open > 0 && Date.now() - started < 15_000) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    open = await count()
  }
  t.equal(open, 0, `no connections after the idle timeout (waited ${Date.now() - started} ms)`)
  t.equal((await a.as(a.admin, { url: '/_admin/entities' })).statusCode, 200, 'and reconnects on demand')
})
