/**
 * Soak: S1 and S4 interleaved against Rocket for a fixed time, sampling its RSS every 5 s.
 * Memory that grows with traffic (caches without bounds, leaked listeners) shows up as peaks
 * that keep rising from the first half of the window to the second.
 */
import type { Dataset } from './dataset.js'
import type { ServerProcess } from './env.js'
import { measure, type LoadOptions } from './load.js'
import { soakRequests } from './scenarios.js'

/** What the soak measured. */
export interface SoakResult {
  seconds: number
  rps: number
  failures: number
  /** RSS samples in MB, one every 5 s of the measured window. */
  samples: number[]
  /**
   * RSS is a sawtooth (old-space garbage builds up until the next mark-compact), so first vs
   * last sample says little: growth means the second half's peak exceeds the first half's by
   * more than 10 % (+5 MB), i.e. memory that the collector no longer gives back.
   */
  stable: boolean
}

/** Runs the soak mix for `seconds` after a warm-up of at least 10 s (the heap settles first). */
export async function soak (server: ServerProcess, ds: Dataset, opts: LoadOptions & { seconds: number }): Promise<SoakResult> {
  const samples: number[] = []
  let sampler: NodeJS.Timeout | undefined
  let run = 0
  const result = await measure(server, () => {
    // measure() builds requests for the warm-up, then for the window: sample during the latter.
    if (++run === 2) {
      samples.push(server.rss())
      sampler = setInterval(() => samples.push(server.rss()), 5_000)
    }
    return soakRequests(ds, `soak${run}`)
  }, { ...opts, warmupSeconds: Math.max(opts.warmupSeconds, 10), durationSeconds: opts.seconds })
  clearInterval(sampler)
  samples.push(server.rss())
  const half = Math.floor(samples.length / 2)
  const early = Math.max(...samples.slice(0, half))
  const late = Math.max(...samples.slice(half))
  return { seconds: opts.seconds, rps: result.rps, failures: result.failures, samples, stable: late <= early * 1.1 + 5 }
}
