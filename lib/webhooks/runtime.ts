import type { AppContext } from '../apps/context.js'
import { sendWebhook, type DeliveryResult } from './http.js'
import { claimLogs, recordOutcome, type ClaimedLog } from './outbox.js'
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

/**
 * The asynchronous delivery machinery of one server: after-commit dispatch of the outbox rows a
 * write just committed, scheduler ticks over every open app, and bookkeeping of in-flight
 * deliveries so that shutdown can wait for them. Delivery is at least once: a crash between
 * the receiver's answer and the log update repeats the call (same idempotency key).
 */
export class WebhookRuntime {
  readonly settings: WebhookSettings
  log: RuntimeLogger = silent
  /** Told about every attempt once its outcome is recorded (the events plugin records a span); must not throw. */
  onAttempt: ((app: AppContext, attempt: DeliveryAttempt) => void) | null = null
  private readonly inFlight = new Set<Promise<void>>()
  private closed = false

  constructor (settings: WebhookSettings) {
    this.settings = settings
  }

  /**
   * Delivers, in the background, the pending rows a unit of work just committed. Under load
   * (too many deliveries running) or after shutdown began, the rows are left to the scheduler.
   */
  dispatch (app: AppContext, ids: readonly string[]): void {
    if (this.busy() || ids.length === 0) return
    this.track(this.claimAndStart(app, { ids }))
  }

  /**
   * One scheduler pass: claims the due rows of every app given and starts their deliveries
   * (not awaited: a slow receiver of one app must not hold up the others).
   */
  async poll (apps: readonly AppContext[]): Promise<void> {
    for (const app of apps) {
      if (this.busy()) return
      await this.claimAndStart(app, {})
    }
  }

  /** Stops taking new work and waits for the deliveries under way (each bounded by its timeout). */
  async close (): Promise<void> {
    this.closed = true
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  private busy (): boolean {
    return this.closed || this.inFlight.size >= this.settings.maxInFlight
  }

  private track (work: Promise<void>): void {
    this.inFlight.add(work)
    void work.finally(() => this.inFlight.delete(work))
  }

  private async claimAndStart (app: AppContext, opts: { ids?: readonly string[] }): Promise<void> {
    let claimed: ClaimedLog[]
    try {
      const limit = opts.ids?.length ?? this.settings.batchSize
      claimed = await claimLogs(app.sql, { limit, leaseMs: this.settings.leaseMs, ...opts })
    } catch (err) {
      this.log.error({ err, app: app.name }, 'claiming webhook deliveries failed')
      return
    }
    for (const log of claimed) {
      this.track(this.deliver(app, log).catch((err: unknown) => {
        this.log.error({ err, app: app.name, log: log.id }, 'recording a webhook delivery failed')
      }))
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
