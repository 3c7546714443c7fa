/**
 * One load run with autocannon: a warm-up whose numbers are discarded, then the measured
 * run, sampling the server's RSS meanwhile.
 */
import autocannon, { type Request, type Result } from 'autocannon'
import type { ServerProcess } from './env.js'

export interface LoadOptions {
  connections: number
  warmupSeconds: number
  durationSeconds: number
}

/** The numbers kept from one measured run. */
export interface Measurement {
  rps: number
  p50: number
  p99: number
  requests: number
  /** Non-2xx responses plus socket errors and timeouts. */
  failures: number
  /** Peak VmRSS of the server during the measured run, MB. */
  rssPeak: number
  /** Server CPU time per request during the measured run, ms (what the server itself costs). */
  cpuPerRequest: number
  /** The measured window on the monotonic clock, µs (to cut a CPU profile to it). */
  window: { from: number, to: number }
  /** First failing response seen (status and body start), to explain a failed run. */
  firstFailure?: string
}

const micros = (): number => Number(process.hrtime.bigint() / 1000n)

async function fire (url: string, requests: Request[], connections: number, duration: number, onFailure?: (s: string) => void): Promise<Result> {
  return await new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, duration, requests, timeout: 30 }, (err, result) => {
      if (err !== null && err !== undefined) reject(err)
      else resolve(result)
    })
    instance.on('response', (client, statusCode, _bytes, _time) => {
      if (statusCode < 200 || statusCode >= 300) onFailure?.(`HTTP ${statusCode}`)
      void client
    })
  })
}

/**
 * Runs `makeRequests()` templates against `server`: warm-up, then the measured window.
 * Failures of the warm-up count too (a server that errors while warming is broken).
 */
export async function measure (server: ServerProcess, makeRequests: () => Request[], opts: LoadOptions): Promise<Measurement> {
  let firstFailure: string | undefined
  const note = (s: string): void => { firstFailure ??= s }
  let warmFailures = 0
  if (opts.warmupSeconds > 0) {
    const warm = await fire(server.url, makeRequests(), opts.connections, opts.warmupSeconds, note)
    warmFailures = warm.non2xx + warm.errors + warm.timeouts
  }
  let rssPeak = server.rss()
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, server.rss()) }, 250)
  try {
    const cpu0 = server.cpu()
    const from = micros()
    const r = await fire(server.url, makeRequests(), opts.connections, opts.durationSeconds, note)
    const to = micros()
    const cpuMs = server.cpu() - cpu0
    rssPeak = Math.max(rssPeak, server.rss())
    return {
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      requests: r.requests.total,
      failures: r.non2xx + r.errors + r.timeouts + warmFailures,
      rssPeak,
      cpuPerRequest: r.requests.total > 0 ? cpuMs / r.requests.total : 0,
      window: { from, to },
      ...(firstFailure !== undefined ? { firstFailure } : {})
    }
  } finally {
    clearInterval(sampler)
  }
}
