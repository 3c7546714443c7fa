/**
 * S1 (get by id) authenticated with an API key instead of a JWT, on the same Rocket process:
 * the bar is a key/JWT throughput ratio ≥ 0.95 (docs/ARCHITECTURE.md, "API keys": a repeat key
 * is two Map lookups — presented key → hash → principal — like a repeat JWT is one). Measurements alternate
 * (JWT, key, key, JWT, …) so both see the same machine noise.
 *
 *   node --import tsx bench/api-key.ts
 *   API_KEY_BENCH_SECONDS=5 API_KEY_BENCH_ROUNDS=6 node --import tsx bench/api-key.ts
 */
import { loadavg } from 'node:os'
import { withDatabase } from '../lib/db/connection.js'
import { api, createDataset } from './dataset.js'
import { spawnServer, startDatabase, stopServers } from './env.js'
import { measure, type Measurement } from './load.js'
import { SCENARIOS } from './scenarios.js'

const seconds = Number(process.env.API_KEY_BENCH_SECONDS ?? 5)
const rounds = Number(process.env.API_KEY_BENCH_ROUNDS ?? 6)
const s1 = SCENARIOS.find((s) => s.id === 'S1')
if (s1 === undefined) throw new Error('no S1 scenario')

const pg = await startDatabase()
try {
  const rocket = await spawnServer({
    name: 'rocket',
    script: 'server.ts',
    env: { DATABASE_URL: withDatabase(pg.url, 'rocket'), LOG_LEVEL: 'warn', APP_POOL_SIZE: '10', POOL_SIZE: '2', ACCESS_TOKEN_TTL: '86400' }
  })
  const ds = await createDataset(rocket.url, pg.url, 'bench')
  const created = await api(rocket.url, { method: 'POST', path: `/api/${ds.app}/_admin/api-keys`, token: ds.token, body: { name: 'bench', roles: ['admin'] } })
  const key = created.data.key as string
  const jwt = (): ReturnType<typeof s1.requests> => s1.requests(ds, 'jwt')
  const withKey = (): ReturnType<typeof s1.requests> => s1.requests(ds, 'key').map((r) => ({ ...r, headers: { 'x-api-key': key } }))
  const opts = { connections: 50, warmupSeconds: 2, durationSeconds: seconds, db: `rocket_${ds.app}` }
  const results: { jwt: Measurement[], key: Measurement[] } = { jwt: [], key: [] }
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['jwt', 'key'] as const) : (['key', 'jwt'] as const)
    for (const which of order) {
      const m = await measure(rocket, which === 'jwt' ? jwt : withKey, opts)
      results[which].push(m)
      console.log(`round ${r + 1} ${which}: ${m.rps.toFixed(0)} req/s, ${m.cpuPerRequest.toFixed(3)} ms CPU/req, failures ${m.failures}`)
    }
  }
  const total = (ms: Measurement[]): number => ms.reduce((sum, m) => sum + m.rps, 0) / ms.length
  const [j, k] = [total(results.jwt), total(results.key)]
  console.log(`S1 JWT ${j.toFixed(0)} req/s, API key ${k.toFixed(0)} req/s, ratio key/JWT ${(k / j).toFixed(3)} (bar ≥ 0.95); ` +
    `failures ${results.jwt.reduce((s, m) => s + m.failures, 0)}/${results.key.reduce((s, m) => s + m.failures, 0)}; load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')}`)
} finally {
  await stopServers()
  await pg.stop().catch(() => {})
}
