import type { ServerResponse } from 'node:http'
import type { AppContext, UserContext } from '../apps/context.js'
import type { ChangeRow } from './changes.js'
import type { StreamCredential } from './credential.js'
import { fieldsOf, type SharedFrames } from './fanout.js'
import { controlFrame, eventData, frameOf, visibleAction } from './event.js'
import type { EntityInterest } from './subscription.js'
import { viewsOf, type SubscriberViews } from './views.js'

export interface SubscriberOptions {
  raw: ServerResponse
  app: AppContext
  user: UserContext
  interests: ReadonlyMap<string, EntityInterest>
  /** What the stream was opened with (token or API key): re-checked per batch and by the hub's sweep. */
  credential: StreamCredential
  heartbeatMs: number
  /** Events a subscriber may have waiting (unsent to the socket, or queued during its replay) before `overflow`. */
  maxBuffered: number
  /** Called once when the stream ends, whoever ends it. */
  onEnd: (sub: Subscriber) => void
}

/** setTimeout's limit (about 24.8 days); a later expiry is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1
/** How long an ended stream's unread bytes may keep the socket before it is destroyed. */
const LINGER_MS = 30_000

/**
 * One SSE client (docs/ARCHITECTURE.md "Realtime"): holds its views (read grant, filters,
 * field set per entity: `views.ts`), takes live batches as the shared bytes of its view group
 * (`fanout.ts`) or change by change (replay, and live changes queued during it), and ends the
 * stream on overflow, an expired or revoked credential (`credential.ts`), client disconnect or
 * server shutdown.
 * While its replay runs, live changes wait in `pending` and are sent after it, so events leave
 * in id order, each once (`lastSent`).
 */
export class Subscriber {
  lastSent = 0
  ended = false
  private replaying = true
  private opened = false
  private pending: ChangeRow[] = []
  private queued = 0
  private views: SubscriberViews | null = null
  private readonly timers: NodeJS.Timeout[] = []
  /** A credential re-read under way (an API key whose cache entry was dropped). */
  private checking = false

  constructor (private readonly opts: SubscriberOptions) {
    const { raw } = opts
    // Batches go to the socket itself (`sendBatch`): its drain is the one that counts.
    raw.socket?.on('drain', () => { this.queued = 0 })
    raw.on('close', () => { this.finish() })
    const beat = setInterval(() => { this.write(': heartbeat\n\n') }, opts.heartbeatMs)
    beat.unref()
    this.timers.push(beat)
    if (opts.credential.expiresAt !== null) this.armExpiry(opts.credential.expiresAt)
  }

  get app (): AppContext { return this.opts.app }

  /** Whether a live batch starting at `firstId` can go out as its view group's shared bytes. */
  takesBatch (firstId: number): boolean {
    return !this.ended && !this.replaying && this.lastSent < firstId
  }

  /**
   * A live batch up to `lastId`: `frames` are what this subscriber's view sees of it (null for
   * nothing), shared with its view group. They go to the socket in one write, bypassing the
   * response's own chunking (which would add a header and trailer write per stream): the
   * shared buffer is already framed as a chunk. Ordered with the response's writes, which end
   * in the same socket queue.
   */
  sendBatch (frames: SharedFrames | null, lastId: number): void {
    if (this.ended || !this.authorized()) return
    this.lastSent = lastId
    const { raw } = this.opts
    const socket = raw.socket
    if (frames === null || socket === null || raw.destroyed) return
    if (this.pressured(frames.count)) return
    socket.write(raw.chunkedEncoding ? frames.chunk : frames.bytes)
  }

  /** A change from the live feed, one by one (every change of the app: the subscriber picks its own). */
  offer (change: ChangeRow): void {
    if (this.ended || change.id <= this.lastSent) return
    if (this.replaying) {
      this.pending.push(change)
      if (this.pending.length > this.opts.maxBuffered) this.end('overflow')
      return
    }
    this.send(change)
  }

  /** A change of the replay (ids after the client's last one, up to where the live feed took over). */
  replayed (change: ChangeRow): void {
    if (!this.ended && change.id > this.lastSent) this.send(change)
  }

  /** Ends the replay: changes that arrived live meanwhile are sent now, in order. */
  goLive (): void {
    this.open()
    this.replaying = false
    const waiting = this.pending
    this.pending = []
    for (const c of waiting) this.offer(c)
  }

  /** `event: reset`: the client's last id is no longer retained; it reloads, and the stream continues live from `id`. */
  reset (id: number): void {
    this.lastSent = id
    this.write(controlFrame('reset', { last_event_id: id }, id))
  }

  /**
   * Opening comment: lets a client (and proxies) see the stream is up before any event. Sent
   * when the subscriber goes live (`goLive`), not before: the response headers go out with the
   * first write, so a client cannot see the stream open before its feed position is fixed —
   * a change committed after the client saw it open is always delivered.
   */
  open (): void {
    if (this.opened) return
    this.opened = true
    this.write(': connected\n\n')
  }

  /** Ends the stream with a control event (`overflow`, `auth_expired`, `reconnect`). */
  end (event: 'overflow' | 'auth_expired' | 'reconnect'): void {
    if (this.ended) return
    const { raw } = this.opts
    if (!raw.destroyed) raw.write(controlFrame(event))
    this.finish()
    raw.end()
    // A client that stopped reading never lets the end complete: drop it after a while.
    const linger = setTimeout(() => { raw.destroy() }, LINGER_MS)
    linger.unref()
    raw.once('close', () => { clearTimeout(linger) })
  }

  private finish (): void {
    if (this.ended) return
    this.ended = true
    for (const t of this.timers) clearTimeout(t)
    this.pending = []
    this.opts.onEnd(this)
  }

  private armExpiry (at: number): void {
    const timer = setTimeout(() => {
      if (Date.now() >= at) this.end('auth_expired')
      else this.armExpiry(at)
    }, Math.min(Math.max(at - Date.now(), 0), MAX_TIMER_MS))
    timer.unref()
    this.timers.push(timer)
  }

  /**
   * Re-checks the credential (the hub does so for every stream every `ACCESS_CHECK_MS`): a
   * revoked or expired API key, a deactivated or deleted user, a token older than the user's
   * token version end the stream with `auth_expired` even when no event is under way.
   */
  checkAccess (): void {
    if (!this.ended) this.authorized()
  }

  /**
   * False (and the stream ends with `auth_expired`) once the credential expired or no longer
   * authenticates. Memory lookups only (no query per event); a key being re-read lets the
   * stream go on until the answer.
   */
  private authorized (): boolean {
    const { credential } = this.opts
    if (credential.expiresAt !== null && Date.now() >= credential.expiresAt) { this.end('auth_expired'); return false }
    const valid = credential.valid()
    if (valid === false) { this.end('auth_expired'); return false }
    if (valid !== true && !this.checking) {
      this.checking = true
      valid.then((ok) => { if (!ok) this.end('auth_expired') }, () => { /* a failed read: the next check asks again */ })
        .finally(() => { this.checking = false })
    }
    return true
  }

  private send (change: ChangeRow): void {
    if (!this.authorized()) return
    const view = this.currentViews().byEntity.get(change.entity) ?? null
    this.lastSent = change.id
    if (view === null) return
    const action = visibleAction(view, change)
    if (action === null) return
    if (this.pressured(1)) return
    this.write(frameOf({ id: change.id, event: action, data: eventData(view.entity, fieldsOf(view, change, action), change, action) }))
  }

  /** Counts `count` events written while the socket needs a drain; true (stream ended: `overflow`) past the limit. */
  private pressured (count: number): boolean {
    if (this.opts.raw.socket?.writableNeedDrain === true) this.queued += count
    if (this.queued <= this.opts.maxBuffered) return false
    this.end('overflow')
    return true
  }

  /** The subscriber's views under the app's current metadata (rebuilt when it changes). */
  currentViews (): SubscriberViews {
    const registry = this.opts.app.registry
    if (this.views?.registry !== registry) this.views = viewsOf(registry, this.opts.interests, this.opts.user)
    return this.views
  }

  private write (text: string | Buffer): void {
    if (!this.ended && !this.opts.raw.destroyed) this.opts.raw.write(text)
  }
}
