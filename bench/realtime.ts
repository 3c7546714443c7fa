/**
 * `npm run bench -- --realtime`: the realtime load (docs/reference.md "Realtime", docs/ARCHITECTURE.md "Realtime").
 * Phases on one Rocket process: (1) S4 creates as fast as it answers, no subscribers; (2) the
 * same with `BENCH_RT_SUBSCRIBERS` (1,000) SSE subscribers on `invoice`; (3) creates at a fixed
 * rate (`BENCH_RT_RATE`, default 80 % of phase 2's throughput) with the subscribers, then
 * (4) the same rate without them. Throughput cost: 1 − (2)/(1) (bar ≤ 15 %); at the fixed rate,
 * Rocket's CPU per create with and without subscribers. Delivery latency from the change's
 * insert time (`data.at`, inside the committing statement) to receipt, p50/p99 (every 10th
 * subscriber); events lost (must be 0: each sampled subscriber's count against the `_changes`
 * rows of phases 2–3, every other subscriber's newest id against the newest change); overflows; Rocket's peak RSS. The subscribers live in a child process
 * (bench/realtime-subscribers.ts), so reading them does not slow the load generator.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { setPriority } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import postgres from 'postgres'
import type { Dataset } from './dataset.js'
import { cpuOf, type ServerProcess } from './env.js'
import { measure, type LoadOptions, type Measurement } from './load.js'
import type { SubscriberCommand, SubscriberStats } from './realtime-subscribers.js'
import { SCENARIOS } from './scenarios.js'

/** The subscriber process's nice value (`BENCH_RT_NICE`, default 19: the lowest CPU priority). */
const SUBSCRIBER_NICE = Number(process.env.BENCH_RT_NICE ?? 19)

/** Delivery latency (ms, commit to receipt) of one phase. */
export interface Latency { p50: number, p99: number, samples: number }

export interface RealtimeResult {
  subscribers: number
  connected: number
  /** Phase 1 and 2: as fast as Rocket answers, without and with subscribers. */
  baseline: Measurement
  loaded: Measurement
  /** Throughput lost to the subscribers: 1 - loaded / baseline. */
  cost: number
  loadedLatency: Latency
  /** Phase 3 and 4: the same fixed rate with and without subscribers. */
  rate: number
  fixedWith: Measurement
  fixedWithout: Measurement
  fixedLatency: Latency
  /** CPU ms of the subscriber process per create, phase 2 and 3 (what reading the streams costs this machine). */
  subscriberCpu: { loaded: number, fixed: number }
  expected: number
  lost: number
  overflows: number
  rssPeak: number
}

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number
}

function latencyOf (samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b)
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), samples: sorted.length }
}

/** The subscriber process and a request/answer call over its IPC channel. */
class Subscribers {
  private readonly child: ChildProcess

  get pid (): number { return this.child.pid ?? 0 }

  constructor () {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'realtime-subscribers.ts')
    const profile = process.env.BENCH_RT_PROFILE === '1' ? ['--cpu-prof', '--cpu-prof-dir=bench/.profiles'] : []
    this.child = fork(script, [], { execArgv: ['--import', 'tsx', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    // Subscribers stand for clients on other machines: their reading must not take the
    // server's CPU on this one (they catch up whenever a core is idle; lagging is fine, a
    // stream that falls too far behind overflows and resumes with its last id).
    if (this.child.pid !== undefined) setPriority(this.child.pid, SUBSCRIBER_NICE)
  }

  async call<T> (msg: SubscriberCommand): Promise<T> {
    return await new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => { reject(new Error(`subscriber process exited with ${code}`)) }
      this.child.once('exit', onExit)
      this.child.once('message', (answer) => { this.child.off('exit', onExit); resolve(answer as T) })
      this.child.send(msg)
    })
  }

  async close (): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.send({ cmd: 'close' } satisfies SubscriberCommand)
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
    this.child.kill()
  }
}

async function newestChange (sql: postgres.Sql): Promise<number> {
  const [row] = await sql<Array<{ id: string }>>`SELECT coalesce(max(id), 0)::text AS id FROM _changes`
  return Number(row?.id ?? 0)
}

/**
 * Waits until every subscriber (an overflowed one resumes with its last id) reached the newest
 * change `newest` and every sampled one counted `expected` events, or 15 s passed; the last stats.
 */
async function caughtUp (subs: Subscribers, newest: number, expected: number, latencies: number[]): Promise<SubscriberStats> {
  const until = Date.now() + 15_000
  for (;;) {
    const stats = await subs.call<SubscriberStats>({ cmd: 'stats' })
    for (const ms of stats.latencies) latencies.push(ms)
    if (Date.now() >= until || (stats.counts.every((c) => c >= expected) && stats.lastIds.every((id) => id >= newest))) return stats
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Events missing at the end: a sampled subscriber's count short of `expected`, another's newest id short of `newest`. */
function lostOf (stats: SubscriberStats, subscribers: number, newest: number, expected: number): number {
  const sampledShort = stats.counts.reduce((sum, c) => sum + Math.max(0, expected - c), 0)
  const behind = stats.lastIds.reduce((sum, id) => sum + Math.max(0, newest - id), 0)
  return sampledShort + behind + Math.max(0, subscribers - stats.lastIds.length) * expected
}

export async function realtimeBench (server: ServerProcess, ds: Dataset, opts: LoadOptions & { subscribers: number, rate?: number }): Promise<RealtimeResult> {
  const s4 = SCENARIOS.find((s) => s.id === 'S4')
  if (s4 === undefined) throw new Error('scenario S4 missing')
  // Phases 1 and 2 run as fast as Rocket answers: `opts.rate` is phase 3's and 4's only.
  const { rate: fixedRate, ...unpaced } = opts
  const baseline = await measure(server, () => s4.requests(ds, 'rt-base'), unpaced)
  console.log(`realtime phase 1 (no subscribers): ${Math.round(baseline.rps)} creates/s`)
  const sql = postgres(ds.appDbUrl, { max: 1 })
  const subs = new Subscribers()
  try {
    const url = `${server.url}/api/${ds.app}/_realtime?entities=invoice`
    const { connected } = await subs.call<{ connected: number }>({ cmd: 'open', url, token: ds.token, count: opts.subscribers })
    const startId = await newestChange(sql)
    let rssPeak = server.rss()
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, server.rss()) }, 500)
    let cpu0 = cpuOf(subs.pid)
    const loaded = await measure(server, () => s4.requests(ds, 'rt-load'), unpaced)
    const loadedSamples: number[] = []
    const loadedNewest = await newestChange(sql)
    await caughtUp(subs, loadedNewest, loadedNewest - startId, loadedSamples)
    const loadedCpu = (cpuOf(subs.pid) - cpu0) / Math.max(1, loaded.requests)
    cpu0 = cpuOf(subs.pid)
    const fixedFrom = await newestChange(sql)
    console.log(`realtime phase 2 (${connected} subscribers): ${Math.round(loaded.rps)} creates/s`)
    const rate = fixedRate ?? Math.max(1, Math.round(loaded.rps * 0.8))
    const fixedWith = await measure(server, () => s4.requests(ds, 'rt-fixed'), { ...opts, rate })
    clearInterval(sampler)
    const fixedSamples: number[] = []
    // Only invoices are written, so every change since startId is one event per subscriber.
    const newest = await newestChange(sql)
    const expected = newest - startId
    const stats = await caughtUp(subs, newest, expected, fixedSamples)
    const fixedCpu = (cpuOf(subs.pid) - cpu0) / Math.max(1, newest - fixedFrom)
    console.log(`realtime phase 3 (fixed ${rate}/s with subscribers): ${Math.round(fixedWith.rps)} creates/s`)
    await subs.close()
    const fixedWithout = await measure(server, () => s4.requests(ds, 'rt-fixed0'), { ...opts, rate })
    return {
      subscribers: opts.subscribers,
      connected,
      baseline,
      loaded,
      cost: baseline.rps > 0 ? 1 - loaded.rps / baseline.rps : 0,
      loadedLatency: latencyOf(loadedSamples),
      rate,
      fixedWith,
      fixedWithout,
      fixedLatency: latencyOf(fixedSamples),
      subscriberCpu: { loaded: loadedCpu, fixed: fixedCpu },
      expected,
      lost: lostOf(stats, opts.subscribers, newest, expected),
      overflows: stats.overflows,
      rssPeak: Math.max(rssPeak, loaded.rssPeak, fixedWith.rssPeak)
    }
  } finally {
    await subs.close()
    await sql.end()
  }
}

const ms = (x: number): string => x.toFixed(2)

export function realtimeBlock (r: RealtimeResult): string {
  const pass = r.lost === 0 && r.cost <= 0.15 && r.connected === r.subscribers
  const cpuWith = r.fixedWith.cpuPerRequest
  const cpuWithout = r.fixedWithout.cpuPerRequest
  return [
    '| | value |',
    '|---|---|',
    `| subscribers (connected) | ${r.subscribers} (${r.connected}), in their own process |`,
    `| S4 creates/s without subscribers (as fast as answered) | ${Math.round(r.baseline.rps)} |`,
    `| S4 creates/s with subscribers (as fast as answered) | ${Math.round(r.loaded.rps)} |`,
    `| throughput cost | ${(r.cost * 100).toFixed(1)} % (bar ≤ 15 %) |`,
    `| delivery latency p50 / p99, creates as fast as answered | ${r.loadedLatency.p50} ms / ${r.loadedLatency.p99} ms (${r.loadedLatency.samples} samples) |`,
    `| fixed rate: creates/s with / without subscribers | ${Math.round(r.fixedWith.rps)} / ${Math.round(r.fixedWithout.rps)} (target ${r.rate}) |`,
    `| fixed rate: delivery latency p50 / p99 | ${r.fixedLatency.p50} ms / ${r.fixedLatency.p99} ms (${r.fixedLatency.samples} samples) |`,
    `| fixed rate: Rocket CPU per create with / without subscribers | ${ms(cpuWith)} / ${ms(cpuWithout)} ms (${cpuWithout > 0 ? `+${((cpuWith / cpuWithout - 1) * 100).toFixed(0)} %` : '-'}) |`,
    `| subscriber process CPU per create (as fast as answered / fixed rate) | ${ms(r.subscriberCpu.loaded)} / ${ms(r.subscriberCpu.fixed)} ms |`,
    `| events expected per subscriber | ${r.expected} |`,
    `| events lost (all subscribers) | ${r.lost} (bar: 0); overflows ${r.overflows} |`,
    `| request failures | ${r.baseline.failures} / ${r.loaded.failures} / ${r.fixedWith.failures} / ${r.fixedWithout.failures} |`,
    `| Rocket peak RSS | ${r.rssPeak} MB |`,
    '',
    pass ? 'All realtime bars met.' : 'Some realtime bars NOT met.'
  ].join('\n')
}
