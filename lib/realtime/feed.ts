import type { AppContext } from '../apps/context.js'
import { canResume, readRange, readSettled, settledNewestId, type FeedCursor } from './changes.js'
import { fanOut } from './fanout.js'
import type { Subscriber } from './subscriber.js'

const BATCH = 500
/**
 * The next read waits at least this many times the CPU time the last fan-out took, so writing
 * to subscribers holds at most about a ninth of the process's CPU however many there are: with
 * more subscribers, batches grow instead of the writes per second (the cost of a write, and of
 * the client's wakeup, hardly depends on its size). CPU time, not wall time: on a loaded
 * machine a preempted fan-out would otherwise stretch the batches for nothing.
 */
const FANOUT_SPACING = 8

/** How a feed paces its reads: the batch window and the process's socket-write budget. */
export interface FeedPacing {
  /** `REALTIME_BATCH_MS`: the shortest window. */
  batchMs: number
  /**
   * `REALTIME_WRITES_PER_SECOND`: socket writes per second this process spends on all its
   * streams. Each batch is one write per subscriber, so with many subscribers the window grows
   * to `subscribers / budget` (1,000 subscribers at 10,000/s: 100 ms) — the writes, and the
   * clients' wakeups, stay bounded however many subscribers and commits there are.
   */
  writesPerSecond: number
  /** Subscribers of every feed of this process (the budget is shared). */
  subscribers: () => number
}

/** How long a feed gathers commits before its next read, ms (`FeedPacing`, `FANOUT_SPACING`). */
export function batchWindow (pacing: FeedPacing, lastFanOutCpuMs: number): number {
  return Math.max(pacing.batchMs, lastFanOutCpuMs * FANOUT_SPACING, (pacing.subscribers() * 1000) / pacing.writesPerSecond)
}

const NO_PACING: FeedPacing = { batchMs: 0, writesPerSecond: Infinity, subscribers: () => 0 }

/**
 * The open streams of a process's feeds, kept by the feeds as subscribers join and leave, so
 * the pacing reads one number per batch window instead of walking every feed.
 */
export interface StreamCount { open: number }

export interface AppFeedOptions {
  onError: (err: unknown) => void
  pacing?: FeedPacing
  /** Shared by the process's feeds (`RealtimeHub.subscriberCount`). */
  streams?: StreamCount
}

/**
 * The live change feed of one app in this process (docs/ARCHITECTURE.md "Realtime"): ONE
 * `_changes` read per batch serves every subscriber of the app here. Woken by this process's
 * commits, by NOTIFY from the others, and by the hub's poll (which also settles gaps).
 * Reads never overlap: a wake during a read runs one more read after it. A read starts one
 * window after the wake that asked for it — `batchMs`, or longer when the process's write
 * budget or `FANOUT_SPACING` × the last fan-out's CPU time asks for it — so the commits of that
 * window share one read, one encoding and one socket write per subscriber (`fanout.ts`).
 */
export class AppFeed {
  private readonly members = new Set<Subscriber>()
  /** Subscribers waiting for the feed's start (`subscribe`): the feed is not idle while any is. */
  private joining = 0
  private cursor: FeedCursor = { after: 0, wait: null }
  private readonly ready: Promise<void>
  private running: Promise<void> | null = null
  private again = false
  private timer: NodeJS.Timeout | null = null
  /** CPU time (user + system: the socket writes are system time) of the last fan-out, ms. */
  private fanOutMs = 0

  private readonly onError: (err: unknown) => void
  private readonly pacing: FeedPacing
  private readonly streams: StreamCount

  constructor (readonly app: AppContext, opts: AppFeedOptions) {
    this.onError = opts.onError
    this.pacing = opts.pacing ?? NO_PACING
    this.streams = opts.streams ?? { open: 0 }
    // A new feed starts after the newest (settled) change: its subscribers asked for what comes
    // next (a client wanting everything since an earlier point passes its last id and is replayed).
    this.ready = settledNewestId(app.sql).then((id) => { this.cursor = { after: id, wait: null } })
  }

  get subscribers (): ReadonlySet<Subscriber> { return this.members }

  /** No subscriber, none joining: the hub may drop the feed. */
  get idle (): boolean { return this.members.size === 0 && this.joining === 0 }

  /** Drops a subscriber (its stream ended); the count moves only for one of this feed's. */
  remove (sub: Subscriber): void {
    if (this.members.delete(sub)) this.streams.open--
  }

  /** Drops every subscriber (the feed stops) and returns them, for the caller to end. */
  removeAll (): Subscriber[] {
    const all = [...this.members]
    this.members.clear()
    this.streams.open -= all.length
    return all
  }

  /** Whether the cursor waits for a gap to settle (the hub polls such feeds). */
  get waiting (): boolean { return this.cursor.wait !== null }

  wake (): void {
    if (this.running !== null) { this.again = true; return }
    if (this.timer !== null) return
    const window = this.window()
    if (window <= 0) { this.start(); return }
    this.timer = setTimeout(() => { this.timer = null; this.start() }, window)
  }

  private window (): number {
    return batchWindow(this.pacing, this.fanOutMs)
  }

  private start (): void {
    this.running = this.pump().catch(this.onError).finally(() => { this.running = null })
  }

  /** Waits for the read under way, then reads once more: every change committed before the call is delivered. */
  async drain (): Promise<void> {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null }
    while (this.running !== null) await this.running
    await this.pump().catch(this.onError)
  }

  private async pump (): Promise<void> {
    await this.ready
    for (;;) {
      this.again = false
      for (;;) {
        const { rows, cursor, more } = await readSettled(this.app.sql, this.cursor, BATCH)
        // Cursor and delivery in one synchronous step: a subscriber joining sees either both or neither.
        this.cursor = cursor
        const started = process.cpuUsage()
        fanOut(rows, this.members)
        if (rows.length > 0) {
          const used = process.cpuUsage(started)
          this.fanOutMs = (used.user + used.system) / 1000
        }
        if (!more) break
      }
      if (!this.again) return
      // Commits that arrived during the read: gather this window's too before reading again.
      const window = this.window()
      if (window > 0) await new Promise((resolve) => setTimeout(resolve, window))
    }
  }

  /**
   * Adds a subscriber: live from the feed's cursor at once (queued while it replays), and
   * with `lastEventId` the retained changes after it up to that cursor first — so nothing
   * between the two is missed or sent twice. An id no longer retained gets `event: reset`.
   */
  async subscribe (sub: Subscriber, lastEventId: number | null): Promise<void> {
    this.joining++
    try {
      await this.ready
    } finally {
      this.joining--
    }
    // A client that left while the feed started has already been removed: never add it back.
    if (sub.ended || this.members.has(sub)) return
    this.members.add(sub)
    this.streams.open++
    const upTo = this.cursor.after
    sub.lastSent = lastEventId ?? upTo
    if (lastEventId !== null && lastEventId < upTo) {
      if (await canResume(this.app.sql, lastEventId)) await this.replay(sub, lastEventId, upTo)
      else sub.reset(upTo)
    } else if (lastEventId !== null && lastEventId > upTo && !(await canResume(this.app.sql, lastEventId))) {
      sub.reset(upTo)
    }
    sub.goLive()
  }

  private async replay (sub: Subscriber, from: number, upTo: number): Promise<void> {
    let after = from
    while (after < upTo && !sub.ended) {
      const rows = await readRange(this.app.sql, after, upTo, BATCH)
      const last = rows.at(-1)
      if (last === undefined) break
      for (const r of rows) sub.replayed(r)
      after = last.id
    }
  }
}
