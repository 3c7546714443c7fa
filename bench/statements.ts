/**
 * Statements per request, from `pg_stat_statements` (the bench cluster preloads it, see env.ts):
 * per scenario and server, the counters are reset, `n` requests are sent one after the other,
 * and every statement the app database ran at least n/2 times is listed with its calls. Rarer
 * ones (the events buffer flush, the realtime feed poll) are background work, not the request's.
 * BEGIN and COMMIT count as statements: they are round trips too.
 */
import postgres from 'postgres'
import type { Dataset } from './dataset.js'
import type { ServerProcess } from './env.js'
import { materialize, send } from './preflight.js'
import type { Scenario } from './scenarios.js'

export interface StatementCount {
  scenario: string
  server: string
  /** Statements per request (calls of the per-request statements ÷ n). */
  perRequest: number
  /** WAL bytes written per request by those statements: what a write costs PostgreSQL, independent of the machine's load. */
  walPerRequest: number
  statements: Array<{ calls: number, query: string }>
  /** Every statement of the app database per request while `AT_ONCE` requests are in flight (shared statements, docs/ARCHITECTURE.md). */
  atOnce: number
}

/** Requests in flight, and sent in all, for the concurrent count (the bench's own concurrency). */
const AT_ONCE = 50
const AT_ONCE_TOTAL = 400

/** Counts the statements of each scenario's requests on each server. */
export async function countStatements (pgUrl: string, db: string, run: { servers: readonly ServerProcess[], ds: Dataset, scenarios: readonly Scenario[], n?: number }): Promise<StatementCount[]> {
  const n = run.n ?? 40
  const sql = postgres(pgUrl, { max: 1, onnotice: () => {} })
  const out: StatementCount[] = []
  /** Each count with the scenario and server it measures, for the concurrent pass. */
  const measured: Array<{ count: StatementCount, scenario: Scenario, server: ServerProcess }> = []
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`
    // Sequential counts first, for all: the concurrent runs write enough WAL to start
    // checkpoints, whose full-page images would inflate the WAL per request measured after them.
    for (const scenario of run.scenarios) {
      for (const server of run.servers) {
        const templates = scenario.requests(run.ds, `stmt${server.name}${scenario.id}`)
        await sql`SELECT pg_stat_statements_reset()`
        for (let i = 0; i < n; i++) await send(server, materialize(templates[i % templates.length] as never))
        const rows = await sql<Array<{ calls: string, query: string, wal: string }>>`
          SELECT s.calls::text AS calls, s.query, s.wal_bytes::text AS wal FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
          WHERE d.datname = ${db} AND s.calls >= ${Math.ceil(n / 2)} ORDER BY s.calls DESC, s.query`
        const statements = rows.map((r) => ({ calls: Number(r.calls), query: r.query.replace(/\s+/g, ' ').slice(0, 90) }))
        const wal = rows.reduce((sum, r) => sum + Number(r.wal), 0)
        const count = { scenario: scenario.id, server: server.name, perRequest: statements.reduce((sum, r) => sum + r.calls, 0) / n, walPerRequest: wal / n, statements, atOnce: 0 }
        out.push(count)
        measured.push({ count, scenario, server })
      }
    }
    // The same requests, AT_ONCE in flight: every statement the app database ran, per request.
    for (const { count, scenario, server } of measured) {
      const many = scenario.requests(run.ds, `many${server.name}${scenario.id}`)
      await sql`SELECT pg_stat_statements_reset()`
      let next = 0
      await Promise.all(Array.from({ length: AT_ONCE }, async () => {
        while (next < AT_ONCE_TOTAL) await send(server, materialize(many[next++ % many.length] as never))
      }))
      const [all] = await sql<Array<{ calls: string }>>`
        SELECT coalesce(sum(s.calls), 0)::text AS calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = ${db}`
      count.atOnce = Number(all?.calls ?? 0) / AT_ONCE_TOTAL
    }
  } finally {
    await sql.end()
  }
  return out
}

/** The markdown table of the counts. */
export function statementsBlock (counts: readonly StatementCount[], n = 40): string {
  const lines = [
    `Statements per request (\`pg_stat_statements\`, ${n} sequential requests per scenario and server; statements run ≥ ${n / 2} times), and every statement of the app database per request when ${AT_ONCE_TOTAL} requests are sent ${AT_ONCE} at a time:`,
    '',
    `| Scenario | Server | Statements / request | At ${AT_ONCE} in flight | WAL bytes / request | Statements (calls) |`,
    '|---|---|---:|---:|---:|---|'
  ]
  for (const c of counts) {
    lines.push(`| ${c.scenario} | ${c.server} | ${c.perRequest.toFixed(2)} | ${c.atOnce.toFixed(2)} | ${Math.round(c.walPerRequest)} | ${c.statements.map((s) => `\`${s.query.replace(/\|/g, '\\|')}\` (${s.calls})`).join('<br>')} |`)
  }
  return lines.join('\n')
}
