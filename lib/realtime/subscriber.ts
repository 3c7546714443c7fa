import type { ServerResponse } from 'node:http'
import { isAdmin, type AppContext, type UserContext } from '../apps/context.js'
import { blocklistOf } from '../auth/blocklist.js'
import type { Registry } from '../metadata/registry.js'
import { fieldAccessFor, grantFor } from '../permissions/compile.js'
import { streamFields } from '../permissions/stream-fields.js'
import { policiesOf } from '../permissions/module.js'
import type { ChangeRow } from './changes.js'
import { controlFrame, eventData, frameOf, visibleAction, type EntityView } from './event.js'
import type { EntityInterest } from './subscription.js'

export interface SubscriberOptions {
  raw: ServerResponse
  app: AppContext
  user: UserContext
  interests: ReadonlyMap<string, EntityInterest>
  /** When the access token expires (ms since the epoch); null for never. */
  expiresAt: number | null
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
 * One SSE client (docs/ARCHITECTURE.md "Realtime"): decides per change what it may see (its
 * read grant and filters against the new and old rows), writes frames, and ends the stream on
 * overflow, token expiry, user deactivation, client disconnect or server shutdown.
 * While its replay runs, live changes wait in `pending` and are sent after it, so events leave
 * in id order, each once (`lastSent`).
 */
export class Subscriber {
  lastSent = 0
  ended = false
  private replaying = true
  private pending: ChangeRow[] = []
  private queued = 0
  private views: { registry: Registry, byEntity: Map<string, EntityView | null> } | null = null
  private readonly timers: NodeJS.Timeout[] = []

  constructor (private readonly opts: SubscriberOptions) {
    const { raw } = opts
    raw.on('drain', () => { this.queued = 0 })
    raw.on('close', () => { this.finish() })
    const beat = setInterval(() => { this.write(': heartbeat\n\n') }, opts.heartbeatMs)
    beat.unref()
    this.timers.push(beat)
    if (opts.expiresAt !== null) this.armExpiry(opts.expiresAt)
  }

  get app (): AppContext { return this.opts.app }

  /** A change from the live feed (every change of the app: the subscriber picks its own). */
  offer (change: ChangeRow, shared: Map<string, string>): void {
    if (this.ended || change.id <= this.lastSent) return
    if (this.replaying) {
      this.pending.push(change)
      if (this.pending.length > this.opts.maxBuffered) this.end('overflow')
      return
    }
    this.send(change, shared)
  }

  /** A change of the replay (ids after the client's last one, up to where the live feed took over). */
  replayed (change: ChangeRow): void {
    if (!this.ended && change.id > this.lastSent) this.send(change, new Map())
  }

  /** Ends the replay: changes that arrived live meanwhile are sent now, in order. */
  goLive (): void {
    this.replaying = false
    const waiting = this.pending
    this.pending = []
    for (const c of waiting) this.offer(c, new Map())
  }

  /** `event: reset`: the client's last id is no longer retained; it reloads, and the stream continues live from `id`. */
  reset (id: number): void {
    this.lastSent = id
    this.write(controlFrame('reset', { last_event_id: id }, id))
  }

  /** Opening comment: lets a client (and proxies) see the stream is up before any event. */
  open (): void { this.write(': connected\n\n') }

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

  private send (change: ChangeRow, shared: Map<string, string>): void {
    const { user, app } = this.opts
    // A deactivated or deleted user's stream ends at its next event (no query: the app's blocklist).
    if (user.platform !== true && blocklistOf(app).has(user.id)) { this.end('auth_expired'); return }
    if (this.opts.expiresAt !== null && Date.now() >= this.opts.expiresAt) { this.end('auth_expired'); return }
    const view = this.viewOf(change.entity)
    this.lastSent = change.id
    if (view === null) return
    const action = visibleAction(view, change)
    if (action === null) return
    const fields = streamFields(view.entity, view.access, view.interest.fields, { record: change.record, old: change.old, action })
    const key = `${action}|${fields?.join(',') ?? '*'}`
    let data = shared.get(key)
    if (data === undefined) {
      data = eventData(view.entity, fields, change, action)
      shared.set(key, data)
    }
    if (this.opts.raw.writableNeedDrain) this.queued++
    if (this.queued > this.opts.maxBuffered) { this.end('overflow'); return }
    this.write(frameOf({ id: change.id, event: action, data }))
  }

  /** The subscriber's view of an entity under the app's current metadata (rebuilt when it changes). */
  private viewOf (entity: string): EntityView | null {
    const interest = this.opts.interests.get(entity)
    if (interest === undefined) return null
    const registry = this.opts.app.registry
    if (this.views?.registry !== registry) this.views = { registry, byEntity: new Map() }
    const cached = this.views.byEntity.get(entity)
    if (cached !== undefined) return cached
    const view = buildView(registry, interest, this.opts.user)
    this.views.byEntity.set(entity, view)
    return view
  }

  private write (text: string): void {
    if (!this.ended && !this.opts.raw.destroyed) this.opts.raw.write(text)
  }
}

/** Null when the entity is gone or the subscriber may no longer read it at all. */
function buildView (registry: Registry, interest: EntityInterest, user: UserContext): EntityView | null {
  const entity = registry.entities.get(interest.entity)
  if (entity === undefined) return null
  if (isAdmin(user)) return { entity, interest, grant: null }
  const g = grantFor(policiesOf(registry), { entity: entity.name, action: 'read', user })
  if (g.kind === 'none') return null
  const access = fieldAccessFor(policiesOf(registry), { entity: entity.name, action: 'read', user })
  return { entity, interest, grant: g.kind === 'all' ? null : g.test, ...(access.kind !== 'all' ? { access } : {}) }
}
