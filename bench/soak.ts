/**
 * Soak: S1 and S4 interleaved against Rocket for a fixed time, sampling its RSS every 5 s.
 * Memory that grows with traffic (caches without bounds, leaked listeners) shows up as a
 * last sample well above the first.
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
  /** Holds when the last sample is within 10 % (or 16 MB) of the first. */
  stable: boolean
}

/** Runs the soak mix for `seconds` after the usual warm-up. */
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
  }, { ...opts, durationSeconds: opts.seconds })
  clearInterval(sampler)
  samples.push(server.rss())
  const first = samples[0] ?? 0
  const last = samples[samples.length - 1] ?? 0
  return { seconds: opts.seconds, rps: result.rps, failures: result.failures, samples, stable: last <= Math.max(first * 1.1, first + 16) }
}
