/**
 * `npm run bench -- --realtime`: SPEC §13's realtime load (docs/ARCHITECTURE.md "Realtime").
 * S4 creates against Rocket alone, then again with `BENCH_RT_SUBSCRIBERS` (1,000) SSE
 * subscribers on `invoice` held by this process. Reports the create throughput with and
 * without subscribers (bar: cost ≤ 15 %), delivery latency from the change's insert time
 * (`data.at`, inside the committing statement) to receipt (p50/p99, sampled on every 10th
 * subscriber), events lost (each subscriber's count against the `_changes` rows of the window;
 * must be 0), overflows, and Rocket's peak RSS.
 */
import { request, type IncomingMessage } from 'node:http'
import postgres from 'postgres'
import type { Dataset } from './dataset.js'
import type { ServerProcess } from './env.js'
import { measure, type LoadOptions, type Measurement } from './load.js'
import { SCENARIOS } from './scenarios.js'

export interface RealtimeResult {
  subscribers: number
  connected: number
  baseline: Measurement
  loaded: Measurement
  /** Throughput lost to the subscribers: 1 - loaded / baseline. */
  cost: number
  p50: number
  p99: number
  expected: number
  lost: number
  overflows: number
  rssPeak: number
}

interface Sub { res: IncomingMessage | null, count: number, overflow: boolean }

const LATENCY_EVERY = 10

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number
}

/** Opens one subscriber; `latencies` collects receipt − `at` (ms) when given. */
async function subscribe (server: ServerProcess, ds: Dataset, latencies: number[] | null): Promise<Sub> {
  const sub: Sub = { res: null, count: 0, overflow: false }
  return await new Promise((resolve) => {
    const req = request(`${server.url}/api/${ds.app}/_realtime?entities=invoice`, { headers: { authorization: `Bearer ${ds.token}` }, agent: false }, (res) => {
      sub.res = res
      res.setEncoding('utf8')
      let buffer = ''
      res.on('data', (chunk: string) => {
        buffer += chunk
        let cut: number
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut)
          buffer = buffer.slice(cut + 2)
          if (frame.startsWith('id: ')) {
            sub.count++
            if (latencies !== null) {
              const m = /"at":"([^"]+)"/.exec(frame)
              if (m !== null) latencies.push(Date.now() - Date.parse(m[1] as string))
            }
          } else if (frame.startsWith('event: overflow')) sub.overflow = true
        }
      })
      resolve(sub)
    })
    req.on('error', () => { resolve(sub) })
    req.end()
  })
}

export async function realtimeBench (server: ServerProcess, ds: Dataset, opts: LoadOptions & { subscribers: number }): Promise<RealtimeResult> {
  const s4 = SCENARIOS.find((s) => s.id === 'S4')
  if (s4 === undefined) throw new Error('scenario S4 missing')
  const baseline = await measure(server, () => s4.requests(ds, 'rt-base'), opts)
  const sql = postgres(ds.appDbUrl, { max: 1 })
  try {
    const latencies: number[] = []
    const subs: Sub[] = []
    for (let i = 0; i < opts.subscribers; i++) subs.push(await subscribe(server, ds, i % LATENCY_EVERY === 0 ? latencies : null))
    const [{ id: startId } = { id: '0' }] = await sql<Array<{ id: string }>>`SELECT coalesce(max(id), 0)::text AS id FROM _changes`
    let rssPeak = server.rss()
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, server.rss()) }, 500)
    const loaded = await measure(server, () => s4.requests(ds, 'rt-load'), opts)
    clearInterval(sampler)
    const [{ n } = { n: '0' }] = await sql<Array<{ n: string }>>`SELECT count(*)::text AS n FROM _changes WHERE id > ${startId} AND entity = 'invoice'`
    const expected = Number(n)
    // Events of the warm-up count too (they are after startId): wait until every subscriber caught up or 15 s.
    const until = Date.now() + 15_000
    while (Date.now() < until && subs.some((x) => !x.overflow && x.res !== null && x.count < expected)) await new Promise((resolve) => setTimeout(resolve, 100))
    const connected = subs.filter((x) => x.res?.statusCode === 200).length
    const lost = subs.reduce((sum, x) => sum + Math.max(0, expected - x.count), 0)
    for (const x of subs) x.res?.destroy()
    latencies.sort((a, b) => a - b)
    return {
      subscribers: opts.subscribers,
      connected,
      baseline,
      loaded,
      cost: baseline.rps > 0 ? 1 - loaded.rps / baseline.rps : 0,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      expected,
      lost,
      overflows: subs.filter((x) => x.overflow).length,
      rssPeak: Math.max(rssPeak, loaded.rssPeak)
    }
  } finally {
    await sql.end()
  }
}

export function realtimeBlock (r: RealtimeResult): string {
  const pass = r.lost === 0 && r.cost <= 0.15 && r.connected === r.subscribers
  return [
    '| | value |',
    '|---|---|',
    `| subscribers (connected) | ${r.subscribers} (${r.connected}) |`,
    `| S4 creates/s without subscribers | ${Math.round(r.baseline.rps)} |`,
    `| S4 creates/s with subscribers | ${Math.round(r.loaded.rps)} |`,
    `| throughput cost | ${(r.cost * 100).toFixed(1)} % (bar ≤ 15 %) |`,
    `| delivery latency p50 / p99 | ${r.p50} ms / ${r.p99} ms |`,
    `| events expected per subscriber | ${r.expected} |`,
    `| events lost (all subscribers) | ${r.lost} (bar: 0); overflows ${r.overflows} |`,
    `| request failures | ${r.baseline.failures} / ${r.loaded.failures} |`,
    `| Rocket peak RSS | ${r.rssPeak} MB |`,
    '',
    pass ? 'All realtime bars met.' : 'Some realtime bars NOT met.'
  ].join('\n')
}
