import { randomBytes } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { connect, withDatabase, type Sql } from '../../lib/db/connection.js'
import { parseLsn } from '../../lib/replicas/lsn.js'
import { createTestApp, expectError, type TestApp } from '../helper.js'
import { startPrimaryWithReplica } from '../replica-helper.js'

// A primary and a streaming replica of this file's own, built from the embedded binaries
// (docs/ARCHITECTURE.md, "Read replicas"); the management server `default` has the replica.
const cluster = await startPrimaryWithReplica()
const onReplica = connect(cluster.replica.url, { max: 1 })
const onPrimary = connect(cluster.primary.url, { max: 1 })
const config = loadConfig({ LOG_LEVEL: 'silent', CORS_ORIGIN: '*' }, {
  databaseUrl: withDatabase(cluster.primary.url, `rocket_mgmt_${randomBytes(4).toString('hex')}`),
  databaseServers: [{ name: 'default', url: null, replicas: [cluster.replica.url] }],
  replicaProbeIntervalMs: 50,
  replicaMaxLagMs: 1000
})
const server = await buildApp({ config })
const app: TestApp = await createTestApp(server, 'repl')
const dbName = `rocket_${app.name}`
t.teardown(async () => {
  await server.close()
  await onReplica.end()
  await onPrimary.end()
  await cluster.stop()
})

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

async function replicaStatus (via = server): Promise<{ healthy: boolean, lag_ms: number | null, replay_lsn: string | null }> {
  const res = await via.inject({ method: 'GET', url: '/api/_platform/servers', headers: { authorization: `Bearer ${app.platform}` } })
  const body = res.json() as { data: Array<{ name: string, replica_status: Array<{ healthy: boolean, lag_ms: number | null, replay_lsn: string | null }> }> }
  const status = body.data.find((s) => s.name === 'default')?.replica_status[0]
  if (status === undefined) throw new Error(`no replica status: ${res.body}`)
  return status
}

/** Waits until the probe reports the replica healthy and past `lsn` (it then serves reads). */
async function replicaReaches (lsn: string, timeoutMs = 10_000, via = server): Promise<number> {
  const started = Date.now()
  const want = parseLsn(lsn) as bigint
  for (;;) {
    const s = await replicaStatus(via)
    if (s.healthy && s.replay_lsn !== null && (parseLsn(s.replay_lsn) as bigint) >= want && s.lag_ms !== null && s.lag_ms < 1000) return Date.now() - started
    if (Date.now() - started > timeoutMs) throw new Error(`replica did not reach ${lsn}: ${JSON.stringify(s)}`)
    await sleep(10)
  }
}

/** Transactions the replica's copy of the app database has run (reads served there). */
async function replicaReads (sql: Sql): Promise<number> {
  const [row] = await sql<Array<{ n: string }>>`SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = ${dbName}`
  await sql`SELECT pg_stat_clear_snapshot()`
  return Number(row?.n ?? 0)
}

/**
 * Reads the replica committed since `before`, once at least `want` are counted or after 15 s:
 * its backends report commits to pg_stat_database at most once a second, and an idle one only
 * after PGSTAT_IDLE_INTERVAL (10 s), so one look can miss the last reads.
 */
async function replicaServedSince (before: number, want: number): Promise<number> {
  let served = await replicaReads(onReplica) - before
  for (const until = Date.now() + 15_000; served < want && Date.now() < until; served = await replicaReads(onReplica) - before) await sleep(200)
  return served
}

const commitLsnOf = (res: LightMyRequestResponse): string => {
  const value = res.headers['x-rocket-commit-lsn']
  if (typeof value !== 'string') throw new Error(`no X-Rocket-Commit-LSN on ${res.statusCode} ${res.body}`)
  return value
}

const entity = await app.as(app.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'counter', fields: [{ name: 'id', type: 'uuid' }, { name: 'label', type: 'string' }, { name: 'n', type: 'integer' }] } })
if (entity.statusCode !== 201) throw new Error(entity.body)
await replicaReaches(commitLsnOf(entity))

t.test('write responses carry X-Rocket-Commit-LSN (exposed to browsers); reads and failures do not; a malformed X-Rocket-Min-LSN is 400', async (t) => {
  const created = await app.as(app.admin, { method: 'POST', url: '/counter', payload: { label: 'a', n: 0 }, headers: { origin: 'https://ui.example' } })
  t.equal(created.statusCode, 201)
  t.match(commitLsnOf(created), /^[0-9A-F]+\/[0-9A-F]+$/)
  t.match(String(created.headers['access-control-expose-headers']), /X-Rocket-Commit-LSN/)
  const id = (created.json() as { data: { id: string } }).data.id
  const updated = await app.as(app.admin, { method: 'PUT', url: `/counter/${id}`, payload: { n: 1 } })
  t.ok((parseLsn(commitLsnOf(updated)) as bigint) > (parseLsn(commitLsnOf(created)) as bigint), 'later write, later position')
  t.equal((await app.as(app.admin, { url: `/counter/${id}` })).headers['x-rocket-commit-lsn'], undefined, 'not on reads')
  const refused = await app.as(app.admin, { method: 'POST', url: '/counter', payload: { n: 'x' } })
  t.equal(refused.statusCode, 422)
  t.equal(refused.headers['x-rocket-commit-lsn'], undefined, 'not on failed writes')
  t.ok(commitLsnOf(await app.as(app.admin, { method: 'DELETE', url: `/counter/${id}` })), 'deletes too')

  for (const bad of ['nonsense', '0/', '1/2/3', 'G/1', '123456789/0']) {
    const err = expectError(t, await app.as(app.admin, { url: '/counter', headers: { 'x-rocket-min-lsn': bad } }), 400, 'INVALID_PAYLOAD')
    t.match(err.details, [{ field: 'X-Rocket-Min-LSN' }])
  }
  const preflight = await server.inject({ method: 'OPTIONS', url: `/api/${app.name}/counter`, headers: { origin: 'https://ui.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-rocket-min-lsn' } })
  t.match(String(preflight.headers['access-control-allow-headers']), /X-Rocket-Min-LSN/i, 'browsers may send it')
})

t.test('reads go to the replica; X-Rocket-Min-LSN sends them to the primary until the replica has replayed it; a lagging replica is left', async (t) => {
  await onReplica`SELECT pg_wal_replay_pause()`
  t.teardown(async () => { await onReplica`SELECT pg_wal_replay_resume()`.catch(() => {}) })
  const created = await app.as(app.admin, { method: 'POST', url: '/counter', payload: { label: 'paused', n: 7 } })
  t.equal(created.statusCode, 201)
  const lsn = commitLsnOf(created)
  const id = (created.json() as { data: { id: string } }).data.id

  const stale = await app.as(app.admin, { url: '/counter?filter[label]=paused' })
  t.equal(stale.statusCode, 200)
  t.same((stale.json() as { data: unknown[] }).data, [], 'without the header: served by the replica, which has not replayed the write')
  t.equal((await app.as(app.admin, { url: `/counter/${id}` })).statusCode, 404, 'the record is not on the replica yet')
  const fresh = await app.as(app.admin, { url: '/counter?filter[label]=paused', headers: { 'x-rocket-min-lsn': lsn } })
  t.same((fresh.json() as { data: Array<{ n: number }> }).data.map((r) => r.n), [7], 'with the header: the primary')
  t.equal((await app.as(app.admin, { url: `/counter/${id}`, headers: { 'x-rocket-min-lsn': lsn } })).statusCode, 200)
  const counted = await app.as(app.admin, { url: '/counter/_aggregate?count=true&filter[label]=paused', headers: { 'x-rocket-min-lsn': lsn } })
  t.equal(counted.statusCode, 200, counted.body)

  await sleep(1200)
  const status = await replicaStatus()
  t.ok(status.lag_ms === null || status.lag_ms >= 1000, `lag reported as ${String(status.lag_ms)} ms while replay is paused`)
  const late = await app.as(app.admin, { url: '/counter?filter[label]=paused' })
  t.same((late.json() as { data: Array<{ n: number }> }).data.map((r) => r.n), [7], 'past REPLICA_MAX_LAG_MS: the primary, even without the header')

  await onReplica`SELECT pg_wal_replay_resume()`
  const waited = await replicaReaches(lsn)
  t.comment(`replica caught up ${waited} ms after replay resumed`)
  const before = await replicaReads(onReplica)
  const caughtUp = await app.as(app.admin, { url: '/counter?filter[label]=paused', headers: { 'x-rocket-min-lsn': lsn } })
  t.same((caughtUp.json() as { data: Array<{ n: number }> }).data.map((r) => r.n), [7])
  t.ok(await replicaServedSince(before, 1) >= 1, 'served by the replica once it has replayed the position')
})

t.test('a write followed by a read carrying its LSN never sees older data', async (t) => {
  const created = await app.as(app.admin, { method: 'POST', url: '/counter', payload: { label: 'loop', n: 0 } })
  const id = (created.json() as { data: { id: string } }).data.id
  const before = await replicaReads(onReplica)
  const lags: number[] = []
  const replays: number[] = []
  let stale = 0
  for (let i = 1; i <= 150; i++) {
    const written = await app.as(app.admin, { method: 'PUT', url: `/counter/${id}`, payload: { n: i } })
    const lsn = commitLsnOf(written)
    // Every few rounds the read waits for the probe, so the replica serves it too.
    if (i % 5 === 0) {
      const committed = Date.now()
      while ((await onReplica<Array<{ done: boolean }>>`SELECT pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn AS done`)[0]?.done !== true) await sleep(1)
      replays.push(Date.now() - committed)
      lags.push(await replicaReaches(lsn))
    }
    const read = await app.as(app.admin, { url: `/counter/${id}`, headers: { 'x-rocket-min-lsn': lsn } })
    if ((read.json() as { data: { n: number } }).data.n !== i) stale++
  }
  t.equal(stale, 0, 'no read saw a value older than the write before it')
  const served = await replicaServedSince(before, 20)
  t.ok(served >= 20, `the replica served ${served} of the 150 reads`)
  lags.sort((a, b) => a - b)
  replays.sort((a, b) => a - b)
  t.comment(`write → replayed on the replica (polled there): median ${replays[Math.floor(replays.length / 2)] ?? -1} ms, max ${replays[replays.length - 1] ?? -1} ms`)
  t.comment(`write → replica reported past its LSN (probe every 50 ms): median ${lags[Math.floor(lags.length / 2)] ?? -1} ms, max ${lags[lags.length - 1] ?? -1} ms`)
})

t.test('stopping the replica sends reads to the primary without errors; it is used again once it answers', async (t) => {
  // A second process whose probe runs once at start only: its reads meet the stopped replica
  // before any probe could notice, so the answers below come from the retry on the primary.
  const blind = await buildApp({ config: { ...config, replicaProbeIntervalMs: 60_000 } })
  t.teardown(async () => { await blind.close() })
  const created = await app.as(app.admin, { method: 'POST', url: '/counter', payload: { label: 'outage', n: 1 } })
  await replicaReaches(commitLsnOf(created))
  // Its probes run only when asked here (a loaded machine may make one slow or inconclusive).
  const deadline = Date.now() + 10_000
  let seen = await replicaStatus(blind)
  while (!(seen.healthy && seen.lag_ms !== null && seen.lag_ms < 1000) && Date.now() < deadline) {
    await blind.replicaHealth.probeAll()
    seen = await replicaStatus(blind)
  }
  t.ok(seen.healthy && seen.lag_ms !== null, 'the blind process saw the replica healthy')
  const viaBlind = async (url: string): Promise<LightMyRequestResponse> => await blind.inject({ method: 'GET', url: `/api/${app.name}${url}`, headers: { authorization: `Bearer ${app.admin}` } })
  t.equal((await viaBlind('/counter?filter[label]=outage')).statusCode, 200, 'it reads from the replica')
  await cluster.replica.stop()
  const statuses: number[] = []
  const values: number[] = []
  for (let i = 0; i < 40; i++) {
    const res = i % 2 === 0 ? await viaBlind('/counter?filter[label]=outage') : await app.as(app.admin, { url: '/counter?filter[label]=outage' })
    statuses.push(res.statusCode)
    values.push(...(res.json() as { data: Array<{ n: number }> }).data.map((r) => r.n))
  }
  t.same([...new Set(statuses)], [200], 'every read answered, by both processes')
  t.same([...new Set(values)], [1], 'with the data')
  t.equal((await replicaStatus(blind)).healthy, false, 'the failed read marked the replica down (no probe ran)')
  t.equal((await replicaStatus()).healthy, false, 'the probing process reports it down')

  await cluster.replica.start()
  const written = await app.as(app.admin, { method: 'POST', url: '/counter', payload: { label: 'outage', n: 2 } })
  await replicaReaches(commitLsnOf(written), 30_000)
  // The monitoring pool reconnects by itself to the restarted replica.
  const before = await replicaReads(onReplica)
  const res = await app.as(app.admin, { url: '/counter?filter[label]=outage&sort=n' })
  t.same((res.json() as { data: Array<{ n: number }> }).data.map((r) => r.n), [1, 2])
  t.ok(await replicaServedSince(before, 1) >= 1, 'the recovered replica serves reads again')
})
