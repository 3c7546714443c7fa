/** A running poller; `stop` waits for the pass under way. */
export interface Poller {
  stop: () => Promise<void>
}

/**
 * Runs `pass` every `intervalMs`, counted from the end of the previous pass, so passes never
 * overlap however long one takes. A pass that throws is handed to `onError` and the next one
 * is scheduled as usual. The background jobs (webhook retries, workflow timeouts) share this
 * loop; what a pass claims and does stays in their own modules.
 */
export function startPoller (opts: { intervalMs: number, pass: () => Promise<void>, onError: (err: unknown) => void }): Poller {
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null
  let stopped = false
  const tick = async (): Promise<void> => {
    try {
      await opts.pass()
    } catch (err) {
      opts.onError(err)
    }
  }
  const schedule = (): void => {
    if (stopped) return
    timer = setTimeout(() => {
      running = tick().finally(() => { running = null; schedule() })
    }, opts.intervalMs)
    // Background work must not keep a process alive on its own.
    timer.unref()
  }
  schedule()
  return {
    stop: async () => {
      stopped = true
      if (timer !== null) clearTimeout(timer)
      if (running !== null) await running
    }
  }
}
