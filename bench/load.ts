/**
 * Load runs with autocannon. A comparison warms both servers up, then alternates short
 * slices between them (A B, B A, …) until each had its measured time: on a shared 2-core
 * machine, other work comes and goes by the second, and slicing exposes both servers to it
 * alike. Server CPU, PostgreSQL backend CPU and RSS are sampled per slice.
 */
import autocannon, { type Request, type Result } from 'autocannon'
import { backendCpu, type ServerProcess } from './env.js'
import type { Window } from './profile.js'

/** Load shape: concurrent connections, warm-up and measured seconds (per server). */
export interface LoadOptions {
  connections: number
  warmupSeconds: number
  durationSeconds: number
  /** Length of one measured slice in a comparison, seconds. */
  sliceSeconds?: number
  /** Database whose backends' CPU is counted (`rocket_<app>`). */
  db: string
  /** A fixed request rate (requests/s over all connections) instead of as fast as the server answers. */
  rate?: number
}

/** The numbers kept from one server's measured time. */
export interface Measurement {
  rps: number
  /** Medians over the slices, ms. */
  p50: number
  p99: number
  requests: number
  /** Non-2xx responses plus socket errors and timeouts (warm-up included). */
  failures: number
  /** Peak VmRSS of the server while measured, MB. */
  rssPeak: number
  /** Server CPU time per request, ms (what the server itself costs). */
  cpuPerRequest: number
  /** CPU time of the app database's PostgreSQL backends per request, ms. */
  pgCpuPerRequest: number
  /** The measured windows on the monotonic clock, µs (to cut a CPU profile to them). */
  windows: Window[]
  /** First failing status seen, to explain a failed run. */
  firstFailure?: string
}

const micros = (): number => Number(process.hrtime.bigint() / 1000n)

async function fire (url: string, requests: Request[], opts: { connections: number, seconds: number, rate?: number }, onFailure: (s: string) => void): Promise<Result> {
  return await new Promise((resolve, reject) => {
    const rate = opts.rate !== undefined ? { overallRate: opts.rate } : {}
    const instance = autocannon({ url, connections: opts.connections, duration: opts.seconds, requests, timeout: 30, ...rate }, (err, result) => {
      if (err !== null && err !== undefined) reject(err)
      else resolve(result)
    })
    instance.on('response', (_client, statusCode) => {
      if (statusCode < 200 || statusCode >= 300) onFailure(`HTTP ${statusCode}`)
    })
  })
}

/** Running totals of one server over its slices. */
class Tally {
  requests = 0
  seconds = 0
  failures = 0
  cpuMs = 0
  pgMs = 0
  rssPeak = 0
  p50s: number[] = []
  p99s: number[] = []
  windows: Window[] = []
  firstFailure: string | undefined

  constructor (readonly server: ServerProcess, readonly makeRequests: () => Request[]) {}

  note = (s: string): void => { this.firstFailure ??= s }

  async warmUp (opts: LoadOptions): Promise<void> {
    if (opts.warmupSeconds <= 0) return
    const r = await fire(this.server.url, this.makeRequests(), { connections: opts.connections, seconds: opts.warmupSeconds, rate: opts.rate }, this.note)
    this.failures += r.non2xx + r.errors + r.timeouts
  }

  async slice (opts: LoadOptions, seconds: number): Promise<void> {
    const { server } = this
    const cpu0 = server.cpu()
    const pg0 = backendCpu(opts.db)
    this.rssPeak = Math.max(this.rssPeak, server.rss())
    const sampler = setInterval(() => { this.rssPeak = Math.max(this.rssPeak, server.rss()) }, 250)
    const from = micros()
    let r: Result
    try {
      r = await fire(server.url, this.makeRequests(), { connections: opts.connections, seconds, rate: opts.rate }, this.note)
    } finally {
      clearInterval(sampler)
    }
    this.windows.push({ from, to: micros() })
    this.cpuMs += server.cpu() - cpu0
    for (const [pid, ms] of backendCpu(opts.db)) this.pgMs += ms - (pg0.get(pid) ?? 0)
    this.rssPeak = Math.max(this.rssPeak, server.rss())
    this.requests += r.requests.total
    this.seconds += r.duration
    this.failures += r.non2xx + r.errors + r.timeouts
    this.p50s.push(r.latency.p50)
    this.p99s.push(r.latency.p99)
  }

  result (): Measurement {
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
    const per = (ms: number): number => (this.requests > 0 ? ms / this.requests : 0)
    return {
      rps: this.seconds > 0 ? this.requests / this.seconds : 0,
      p50: med(this.p50s),
      p99: med(this.p99s),
      requests: this.requests,
      failures: this.failures,
      rssPeak: this.rssPeak,
      cpuPerRequest: per(this.cpuMs),
      pgCpuPerRequest: per(this.pgMs),
      windows: this.windows,
      ...(this.firstFailure !== undefined ? { firstFailure: this.firstFailure } : {})
    }
  }
}

/** One server alone: warm-up, then one continuous measured window (the soak). */
export async function measure (server: ServerProcess, makeRequests: () => Request[], opts: LoadOptions): Promise<Measurement> {
  const t = new Tally(server, makeRequests)
  await t.warmUp(opts)
  await t.slice(opts, opts.durationSeconds)
  return t.result()
}

/**
 * Two servers on the same scenario: both warm up, then measured slices alternate (A B, B A,
 * A B, …) until each had `durationSeconds`.
 */
export async function compare (a: ServerProcess, b: ServerProcess, makeRequests: () => Request[], opts: LoadOptions): Promise<[Measurement, Measurement]> {
  const [ma, mb] = await compareAll([a, b], makeRequests, opts)
  return [ma as Measurement, mb as Measurement]
}

/**
 * Several servers on the same scenario: each warms up, then measured slices run in turn, the
 * order reversed every other pass (A B C, C B A, …), until each had `durationSeconds`.
 */
export async function compareAll (servers: readonly ServerProcess[], makeRequests: () => Request[], opts: LoadOptions): Promise<Measurement[]> {
  const tallies = servers.map((s) => new Tally(s, makeRequests))
  for (const t of tallies) await t.warmUp(opts)
  const slice = Math.max(1, Math.min(opts.sliceSeconds ?? 2, opts.durationSeconds))
  const n = Math.max(1, Math.round(opts.durationSeconds / slice))
  for (let i = 0; i < n; i++) {
    for (const t of i % 2 === 0 ? tallies : [...tallies].reverse()) await t.slice(opts, slice)
  }
  return tallies.map((t) => t.result())
}
