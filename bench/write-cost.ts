/**
 * PostgreSQL's share of one create (bench S4), or with WRITE_COST_ROWS=100 of one bulk create of
 * that many records (bench S10), isolated from Node and the load generator: the backend CPU per
 * statement of
 *   bare      the floor without audit (one INSERT … RETURNING),
 *   audited   the floor with the audit row (the same statement plus an `_audit_log` CTE),
 *   contract  the cheapest statement that does what docs/reference.md requires of every write
 *             (audit row AND realtime `_changes` row, in the write's own transaction),
 *   rocket    Rocket's own create, sent over HTTP, measured on its one app connection
 *             (every statement it sends: the write and its share of the commit-LSN query).
 * Sequential requests on one connection each, so the figures are per statement, not per
 * contention. It answers "how close to the floor without audit can any server that keeps
 * the contract get": (floor Node CPU + bare) ÷ (floor Node CPU + contract) bounds the req/s
 * ratio when these processes saturate the machine (docs/ARCHITECTURE.md "Writes").
 *
 *   node --import tsx bench/write-cost.ts
 *   WRITE_COST_N=3000 WRITE_COST_ROUNDS=5 node --import tsx bench/write-cost.ts
 *   WRITE_COST_ROWS=100 WRITE_COST_N=200 node --import tsx bench/write-cost.ts
 */
import postgres from 'postgres'
import { withDatabase } from '../lib/db/connection.js'
import { api, login } from './dataset.js'
import { cpuOf, spawnServer, startDatabase, stopServers } from './env.js'
import { writeStatements } from './floor/tables.js'
import { median } from './report.js'
import { ENTITIES, RELATIONS } from './schema.js'

const N = Number(process.env.WRITE_COST_N ?? 2000)
const ROUNDS = Number(process.env.WRITE_COST_ROUNDS ?? 3)
/** Records per create: 1 is S4's single create, more is S10's bulk create (one statement of that many rows). */
const ROWS = Number(process.env.WRITE_COST_ROWS ?? 1)
/** Statements (or requests) before each measured run. */
const WARMUP = Math.max(20, Math.round(200 / Math.sqrt(ROWS)))
/**
 * Node-side time between two statements, like a server's request handling: a backend that idles
 * between statements pays more CPU per statement (cold caches) than one kept busy in a loop.
 */
const PACE_US = Number(process.env.WRITE_COST_PACE_US ?? 800)
function pace (): void {
  const until = performance.now() + PACE_US / 1000
  while (performance.now() < until);
}

/** The contract's writes in the cheapest form: the floor's audited create plus the `_changes` row. */
function contractStatement (audited: string): string {
  return audited.replace(/\n\s*SELECT \* FROM src$/, `,
  change AS (INSERT INTO _changes (entity, record_id, action, record) SELECT 'invoice', src.id::text, 'create', to_jsonb(src) FROM src)
  SELECT * FROM src`)
}

const pg = await startDatabase()
try {
  const rocket = await spawnServer({
    name: 'rocket',
    script: 'server.ts',
    // One app connection: every statement of Rocket's creates runs on one backend.
    env: { DATABASE_URL: withDatabase(pg.url, 'rocket'), LOG_LEVEL: 'warn', APP_POOL_SIZE: '1', POOL_SIZE: '2', ACCESS_TOKEN_TTL: '86400', EVENTS_SAMPLING_RATE: '0' }
  })
  const platform = await login(rocket.url, '/api/_platform/auth/login', 'platform@localhost')
  await api(rocket.url, { method: 'POST', path: '/api/_platform/apps', token: platform, body: { name: 'cost', display_name: 'Write cost' } })
  const token = await login(rocket.url, '/api/cost/auth/login', 'admin@localhost')
  for (const e of ENTITIES) await api(rocket.url, { method: 'POST', path: '/api/cost/_admin/entities', token, body: e })
  for (const r of RELATIONS) await api(rocket.url, { method: 'POST', path: '/api/cost/_admin/relations', token, body: r })
  const customer = await api(rocket.url, { method: 'POST', path: '/api/cost/customer', token, body: { name: 'C', email: 'c@cost.test' } })
  const customerId = customer.data.id as string
  const userId = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub

  const sql = postgres(withDatabase(pg.url, 'rocket_cost'), { max: 1, onnotice: () => {} })
  if (process.env.WRITE_COST_STATEMENTS === '1') {
    await sql`ALTER SYSTEM SET pg_stat_statements.track_planning = on`
    await sql`SELECT pg_reload_conf()`
  }
  const pid = (await sql<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid`)[0]?.pid ?? 0
  const statement = ROWS === 1 ? 'insertInvoice' : 'insertInvoices'
  const audited = writeStatements(true)[statement]
  const statements = { bare: writeStatements(false)[statement], audited, contract: contractStatement(audited) }
  let seq = 0
  const record = (): Record<string, string> => ({ number: `W-${++seq}`, status: 'draft', total: '10.00', customer_id: customerId, issued_on: '2024-01-01' })
  const columns = ['number', 'status', 'total', 'customer_id', 'issued_on']
  const values = (): unknown[] => {
    if (ROWS === 1) { const r = record(); return columns.map((c) => r[c]) }
    const records = Array.from({ length: ROWS }, record)
    return columns.map((c) => records.map((r) => r[c]))
  }

  async function handWritten (text: string, withUser: boolean): Promise<number> {
    const run = async (): Promise<void> => {
      await sql.unsafe(text, (withUser ? [...values(), userId] : values()) as never[], { prepare: true })
      pace()
    }
    for (let i = 0; i < WARMUP; i++) await run()
    const before = cpuOf(pid)
    for (let i = 0; i < N; i++) await run()
    return (cpuOf(pid) - before) * 1000 / N
  }

  const appBackends = async (): Promise<number[]> => (await sql<Array<{ pid: number }>>`
    SELECT pid FROM pg_stat_activity WHERE datname = 'rocket_cost' AND pid <> pg_backend_pid()`).map((r) => r.pid)
  async function viaRocket (): Promise<number> {
    const create = (): Promise<unknown> => api(rocket.url, { method: 'POST', path: '/api/cost/invoice', token, body: ROWS === 1 ? record() : Array.from({ length: ROWS }, record) })
    for (let i = 0; i < WARMUP; i++) await create()
    const pids = await appBackends()
    const before = pids.reduce((s, p) => s + cpuOf(p), 0)
    for (let i = 0; i < N; i++) await create()
    return (pids.reduce((s, p) => s + cpuOf(p), 0) - before) * 1000 / N
  }

  const results: Record<string, number[]> = { bare: [], audited: [], contract: [], rocket: [] }
  for (let round = 0; round < ROUNDS; round++) {
    results.bare?.push(await handWritten(statements.bare, false))
    results.audited?.push(await handWritten(statements.audited, true))
    results.contract?.push(await handWritten(statements.contract, true))
    results.rocket?.push(await viaRocket())
  }
  if (process.env.WRITE_COST_STATEMENTS === '1') {
    await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`
    const top = await sql<Array<{ calls: string, us: number, plans: string, query: string }>>`
      SELECT s.calls::text, round((s.total_exec_time * 1000 / greatest(s.calls, 1))::numeric, 1)::float8 AS us, s.plans::text, left(regexp_replace(s.query, '[[:space:]]+', ' ', 'g'), 140) AS query
      FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'rocket_cost' ORDER BY s.calls DESC LIMIT 12`
    for (const r of top) console.log(`${r.calls.padStart(7)} calls ${r.plans.padStart(7)} plans ${String(r.us).padStart(7)} µs  ${r.query}`)
  }
  await sql.end()
  console.log(`PostgreSQL backend CPU per create of ${ROWS} record(s), µs (median of ${ROUNDS} rounds of ${N}; rounds in brackets):`)
  for (const [name, xs] of Object.entries(results)) {
    console.log(`  ${name.padEnd(9)} ${median(xs).toFixed(0).padStart(5)}  [${xs.map((x) => x.toFixed(0)).join(', ')}]`)
  }
} finally {
  await stopServers()
  await pg.stop()
}
