/**
 * What instrumentation costs (docs/reference.md, "UI configs, audit log, events": at most 5 % of throughput at the default sampling rate).
 * Two Rocket servers on one embedded PostgreSQL and one dataset: `off` with EVENTS_ENABLED=false,
 * `on` with EVENTS_SAMPLING_RATE (default: the configured default), compared scenario by
 * scenario with alternating slices (bench/load.ts `compare`), so both see the same machine noise.
 *
 *   node --import tsx bench/events-overhead.ts
 *   EVENTS_BENCH_RATE=1 EVENTS_BENCH_SCENARIOS=S1,S4 EVENTS_BENCH_SECONDS=30 node --import tsx bench/events-overhead.ts
 */
import postgres from 'postgres'
import { withDatabase } from '../lib/db/connection.js'
import { createDataset, resetWrites } from './dataset.js'
import { spawnServer, startDatabase, stopServers } from './env.js'
import { compare } from './load.js'
import { SCENARIOS } from './scenarios.js'

const env = process.env
const rate = env.EVENTS_BENCH_RATE
const seconds = Number(env.EVENTS_BENCH_SECONDS ?? 20)
const ids = (env.EVENTS_BENCH_SCENARIOS ?? 'S1,S2,S4').split(',').map((s) => s.trim().toUpperCase())

const pg = await startDatabase()
try {
  const common = { DATABASE_URL: withDatabase(pg.url, 'rocket'), LOG_LEVEL: 'warn', APP_POOL_SIZE: '10', POOL_SIZE: '2', ACCESS_TOKEN_TTL: '86400' }
  const off = await spawnServer({ name: 'off', script: 'server.ts', env: { ...common, EVENTS_ENABLED: 'false' } })
  const ds = await createDataset(off.url, pg.url, 'bench')
  const on = await spawnServer({ name: 'on', script: 'server.ts', env: { ...common, ...(rate !== undefined ? { EVENTS_SAMPLING_RATE: rate } : {}) } })
  for (const s of SCENARIOS.filter((x) => ids.includes(x.id))) {
    const [a, b] = await compare(off, on, () => s.requests(ds, `e${Date.now()}`), { connections: 50, warmupSeconds: 3, durationSeconds: seconds, sliceSeconds: 2, db: 'rocket_bench' })
    console.log(`${s.id} ${s.title}: off ${a.rps.toFixed(0)} rps, ${a.cpuPerRequest.toFixed(3)} ms CPU/req | on (rate ${rate ?? 'default'}) ${b.rps.toFixed(0)} rps, ` +
      `${b.cpuPerRequest.toFixed(3)} ms CPU/req | throughput ratio ${(b.rps / a.rps).toFixed(3)} | failures ${a.failures}/${b.failures}`)
    if (s.write) await resetWrites(ds.appDbUrl)
  }
  const sql = postgres(ds.appDbUrl, { max: 1, onnotice: () => {} })
  const rows = await sql<Array<{ component: string | null, n: number }>>`SELECT component, count(*)::int AS n FROM _events GROUP BY 1 ORDER BY 1`
  console.log(`_events rows: ${rows.map((r) => `${r.component ?? 'business'} ${r.n}`).join(', ')}`)
  await sql.end()
} finally {
  await stopServers()
  await pg.stop().catch(() => {})
}
