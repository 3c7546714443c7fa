import type { AppContext } from '../apps/context.js'
import { RoundRobin } from '../jobs/fair.js'
import { sendWebhook, type DeliveryResult } from './http.js'
import { claimLogs, handOverLogs, recordOutcome, type ClaimedLog } from './outbox.js'
import { backoffDelay, type WebhookSettings } from './settings.js'
import { STATE_MACHINE_HOOK, WORKFLOW_HOOK, type LogStatus } from './types.js'

/** Where background delivery problems (database errors, not receiver failures) are reported. */
export interface RuntimeLogger {
  error: (obj: unknown, msg?: string) => void
}

const silent: RuntimeLogger = { error: () => {} }

/** One recorded delivery attempt, for observers (instrumentation). */
export interface DeliveryAttempt {
  log: ClaimedLog
  result: DeliveryResult
  status: LogStatus
  /** Wall-clock ms when the attempt started, and how long it took up to its outcome being recorded. */
  startedAt: number
  durationMs: number
}

/** The next state of a log row after an attempt, and when to try again. */
export function outcomeOf (log: Pick<ClaimedLog, 'attempt' | 'max_attempts' | 'backoff'>, result: DeliveryResult, baseMs: number): { status: LogStatus, retryInMs: number | null } {
  if (result.ok) return { status: 'delivered', retryInMs: null }
  if (log.attempt >= log.max_attempts) return { status: 'failed', retryInMs: null }
  const backoff = log.backoff === 'fixed' ? 'fixed' : 'exponential'
  return { status: 'retrying', retryInMs: backoffDelay(backoff, log.attempt, baseMs) }
}

/** Bound of the in-memory hint list per app (beyond it, rows wait for the scheduler). */
const MAX_DEFERRED_PER_APP = 1000

export interface WebhookRuntimeOptions {
  log?: RuntimeLogger
  /** Told about every attempt once its outcome is recorded (the events module records a span); must not throw. */
  onAttempt?: (app: AppContext, attempt: DeliveryAttempt) => void
}

/**
 * The asynchronous delivery machinery of one server: after-commit dispatch of the outbox rows a
 * write just committed, scheduler ticks over every open app, and bookkeeping of in-flight
 * deliveries so that shutdown can wait for them. Delivery is at least once: a crash between
 * the receiver's answer and the log update repeats the call (same idempotency key).
 */
export class WebhookRuntime {
  readonly settings: WebhookSettings
  readonly log: RuntimeLogger
  private readonly onAttempt: ((app: AppContext, attempt: DeliveryAttempt) => void) | null
  private readonly inFlight = new Set<Promise<void>>()
  /** Delivery slots taken (claims under way count their whole request), in all and per app. */
  private running = 0
  private readonly runningPerApp = new Map<string, number>()
  private readonly turns = new RoundRobin()
  /**
   * Committed rows a dispatch found no slot for (a scheduler pass may hold the app's slots while
   * it claims): handed out as soon as slots of that app are released, so they do not wait for
   * the scheduler's grace period. A hint only: the rows are in `_webhook_logs` either way.
   */
  private readonly deferred = new Map<string, { app: AppContext, ids: string[] }>()
  private closed = false

  constructor (settings: WebhookSettings, opts: WebhookRuntimeOptions = {}) {
    this.settings = settings
    this.log = opts.log ?? silent
    this.onAttempt = opts.onAttempt ?? null
  }

  /**
   * Delivers, in the background, the pending rows a unit of work just committed, as far as the
   * app's budget allows (`maxInFlightPerApp`, and `maxInFlight` over all apps). Rows beyond it,
   * or after shutdown began, are left to the scheduler.
   */
  dispatch (app: AppContext, ids: readonly string[]): void {
    if (this.closed) { this.handOver(app, ids); return }
    const slots = this.reserve(app.name, ids.length)
    if (slots < ids.length) this.defer(app, ids.slice(slots))
    if (slots === 0) return
    this.track(this.claimAndStart(app, { ids: ids.slice(0, slots) }, slots))
  }

  private defer (app: AppContext, ids: readonly string[]): void {
    if (this.closed) return
    const entry = this.deferred.get(app.name) ?? { app, ids: [] }
    for (const id of ids) if (entry.ids.length < MAX_DEFERRED_PER_APP) entry.ids.push(id)
    this.deferred.set(app.name, entry)
  }

  /**
   * One scheduler pass: claims the due rows of every app given, each within its own budget,
   * starting one app further along each pass (docs/security.md): an app whose receiver hangs
   * fills its own slots only, and the shared ones never go to the same apps first. Deliveries
   * are not awaited: a slow receiver of one app must not hold up the others.
   */
  async poll (apps: readonly AppContext[]): Promise<void> {
    for (const app of this.turns.order(apps)) {
      if (this.closed || this.running >= this.settings.maxInFlight) return
      const slots = this.reserve(app.name, this.settings.batchSize)
      if (slots > 0) await this.claimAndStart(app, {}, slots)
    }
  }

  /** How many deliveries the app is running here now (its slots of `maxInFlightPerApp`). */
  runningFor (app: string): number {
    return this.runningPerApp.get(app) ?? 0
  }

  /** Stops taking new work and waits for the deliveries under way (each bounded by its timeout). */
  async close (): Promise<void> {
    this.closed = true
    for (const { app, ids } of this.deferred.values()) this.handOver(app, ids)
    this.deferred.clear()
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  /** Takes up to `wanted` delivery slots for an app (before claiming, so concurrent claims cannot overshoot). */
  private reserve (app: string, wanted: number): number {
    if (this.closed) return 0
    const mine = this.runningFor(app)
    const n = Math.max(0, Math.min(wanted, this.settings.maxInFlight - this.running, this.settings.maxInFlightPerApp - mine))
    if (n > 0) {
      this.running += n
      this.runningPerApp.set(app, mine + n)
    }
    return n
  }

  private release (app: string, n: number): void {
    if (n <= 0) return
    this.running -= n
    const left = this.runningFor(app) - n
    if (left > 0) this.runningPerApp.set(app, left)
    else this.runningPerApp.delete(app)
    const waiting = this.deferred.get(app)
    if (waiting !== undefined && !this.closed) {
      this.deferred.delete(app)
      this.dispatch(waiting.app, waiting.ids)
    }
  }

  /** Rows this process will not deliver after all (draining): due now for every process's scheduler. */
  private handOver (app: AppContext, ids: readonly string[]): void {
    if (ids.length === 0) return
    this.track(handOverLogs(app.sql, ids).catch((err: unknown) => { this.log.error({ err, app: app.name }, 'handing over webhook deliveries failed') }))
  }

  private track (work: Promise<void>): void {
    this.inFlight.add(work)
    void work.finally(() => this.inFlight.delete(work))
  }

  /** Claims at most `slots` rows (reserved by the caller) and starts them; slots not used are given back. */
  private async claimAndStart (app: AppContext, opts: { ids?: readonly string[] }, slots: number): Promise<void> {
    let claimed: ClaimedLog[]
    try {
      claimed = await claimLogs(app.sql, { limit: slots, leaseMs: this.settings.leaseMs, ...opts })
    } catch (err) {
      this.release(app.name, slots)
      this.log.error({ err, app: app.name }, 'claiming webhook deliveries failed')
      return
    }
    this.release(app.name, slots - claimed.length)
    for (const log of claimed) {
      this.track(this.deliver(app, log).catch((err: unknown) => {
        this.log.error({ err, app: app.name, log: log.id }, 'recording a webhook delivery failed')
      }).finally(() => { this.release(app.name, 1) }))
    }
  }

  /** One attempt of one claimed row, and its outcome recorded. */
  private async deliver (app: AppContext, log: ClaimedLog): Promise<void> {
    const startedAt = Date.now()
    const orphan = log.webhook_id === null && log.hook !== STATE_MACHINE_HOOK && log.hook !== WORKFLOW_HOOK
    const result: DeliveryResult = orphan
      ? { ok: false, status: null, body: null, error: 'webhook deleted before delivery' }
      : await sendWebhook({
        url: log.url,
        method: log.method,
        headers: log.request_headers,
        body: log.request_body,
        secret: log.secret,
        timeoutMs: log.webhook_timeout_ms ?? this.settings.defaultTimeoutMs,
        policy: this.settings
      })
    const outcome = orphan ? { status: 'failed' as const, retryInMs: null } : outcomeOf(log, result, this.settings.backoffBaseMs)
    await recordOutcome(app.sql, log, { result, ...outcome })
    this.onAttempt?.(app, { log, result, status: outcome.status, startedAt, durationMs: Date.now() - startedAt })
  }
}
