import type { EventEmitter } from 'node:events'

/** What a gate needs of a response: its `close` event, and whether that already happened (Node's `ServerResponse`). */
export interface ClosingResponse extends Pick<EventEmitter, 'once' | 'removeListener'> {
  readonly closed?: boolean
}

/**
 * Admission of large JSON bodies (docs/ARCHITECTURE.md, "Large bodies"): at most `max` of them
 * are parsed and handled at once per gate; the others wait, FIFO, with their body still one
 * string. A parsed 100-record bulk is thousands of objects that live until its answer is sent;
 * with 50 such requests in flight but only `APP_POOL_SIZE` connections to run them, most of
 * them would wait for a connection as objects, survive young-generation collections and fill the
 * old generation with garbage (peak RSS 292 MB in bench S10, 205 MB with 10 in flight, at nearly
 * the same throughput). A request is admitted only once its whole body has arrived, so a client
 * that sends its body slowly never holds a place.
 *
 * A place is held until the response closes (`close` of Node's response: sent, failed or cut
 * off); a request whose response closes while it waits leaves the queue.
 */
export class BodyGate {
  private running = 0
  private readonly queue: Array<{ res: ClosingResponse, run: () => void }> = []
  /** The most requests ever admitted at once, and how many had to wait (`stats`). */
  private peak = 0
  private waited = 0

  constructor (private readonly max: number) {}

  /** Requests admitted now and waiting, the peak admitted at once, and how many waited (tests, operations). */
  get stats (): { running: number, waiting: number, peak: number, waited: number } {
    return { running: this.running, waiting: this.queue.length, peak: this.peak, waited: this.waited }
  }

  /** Runs `run` once a place is free, keeping it until `res` closes. */
  admit (res: ClosingResponse, run: () => void): void {
    if (this.running < this.max) { this.enter(res, run); return }
    const entry = { res, run }
    this.queue.push(entry)
    this.waited++
    const leave = (): void => {
      const at = this.queue.indexOf(entry)
      if (at !== -1) this.queue.splice(at, 1)
    }
    res.once('close', leave)
    // Entered later: the listener that leaves the queue is replaced by the one that frees the place.
    entry.run = () => { res.removeListener('close', leave); run() }
  }

  private enter (res: ClosingResponse, run: () => void): void {
    this.running++
    if (this.running > this.peak) this.peak = this.running
    // A response closed already (its client left as the body arrived) would never say so again.
    if (res.closed === true) queueMicrotask(() => { this.release() })
    else res.once('close', () => { this.release() })
    run()
  }

  private release (): void {
    this.running--
    const next = this.queue.shift()
    if (next !== undefined) this.enter(next.res, next.run)
  }
}
