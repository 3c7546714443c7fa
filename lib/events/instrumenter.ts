import type { IncomingHttpHeaders } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { Config } from '../../config/index.js'
import type { AppContext } from '../apps/context.js'
import { UUID_RE } from '../fields/spec.js'
import { EventBuffer, type BufferLogger } from './buffer.js'
import { parseTraceparent, randomHex, uuidv7 } from './ids.js'
import type { EventRow, EventSettings, RequestTrace } from './types.js'
import { insertEvents } from './write.js'

type EventConfig = Pick<Config, 'eventsEnabled' | 'eventsSamplingRate' | 'eventsRetentionDays' | 'eventsFlushIntervalMs'>

/** Settings from the configuration (defaults for missing keys: lib-level tests build engines without one). */
export function eventSettings (config: Partial<EventConfig> = {}): EventSettings {
  return {
    enabled: config.eventsEnabled ?? true,
    samplingRate: config.eventsSamplingRate ?? 0.1,
    retentionDays: config.eventsRetentionDays ?? 7,
    flushIntervalMs: config.eventsFlushIntervalMs ?? 1000,
    batchSize: 500,
    maxBuffered: 10_000,
    maxForcedPerSecond: 100
  }
}

/** What a span records; everything but the type and component is optional. */
export interface SpanFields {
  eventType: string
  component: string
  action?: string | null
  entity?: string | null
  recordId?: string | null
  /** A UUID (see `eventUserId`) or null. */
  userId?: string | null
  /** Wall-clock epoch ms when the span started. */
  startedAt: number
  durationMs: number | null
  status: 'ok' | 'error'
  metadata?: Record<string, unknown> | null
  /** Defaults to the request's http span. */
  parentSpanId?: string | null
}

/** Wall-clock epoch ms with a fraction (µs): spans starting within one ms keep their order. */
export function nowMs (): number {
  return performance.timeOrigin + performance.now()
}

/** Rounds a duration to microseconds (what the eye and percentile_cont need). */
export function roundMs (ms: number): number {
  return Math.round(ms * 1000) / 1000
}

/** A user id as the `_events.user_id` column (uuid) accepts it; null otherwise. */
export function eventUserId (id: string | null | undefined): string | null {
  return typeof id === 'string' && UUID_RE.test(id) ? id : null
}

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/

/**
 * A text value (entity name, record id from a URL) as spans store it: at most `max` characters
 * and free of control characters — jsonb refuses `\u0000`, and one such value would fail the
 * whole batch it travels in.
 */
export function safeText (value: string | null | undefined, max = 200): string | null {
  if (typeof value !== 'string' || value === '' || CONTROL_RE.test(value)) return null
  return value.length > max ? value.slice(0, max) : value
}

/** Wall-clock ms of a `performance.now()` reading taken during the trace's request. */
export function wallOf (trace: RequestTrace, mono: number): number {
  return trace.wall + (mono - trace.mono)
}

/** A span of a request's trace as an `_events` row (a child of the http span unless told otherwise). */
export function spanRow (trace: RequestTrace, f: SpanFields): EventRow {
  return {
    id: uuidv7(),
    trace_id: trace.traceId,
    span_id: randomHex(8),
    parent_span_id: f.parentSpanId === undefined ? trace.spanId : f.parentSpanId,
    event_type: f.eventType,
    source: 'system',
    component: f.component,
    action: f.action ?? null,
    entity: safeText(f.entity),
    record_id: safeText(f.recordId),
    user_id: f.userId ?? null,
    duration_ms: f.durationMs === null ? null : roundMs(f.durationMs),
    status: f.status,
    metadata: f.metadata ?? null,
    created_at: f.startedAt
  }
}

/**
 * The instrumentation of one server: decides per request whether it is sampled, and hands the
 * finished spans and business events to the per-app `EventBuffer`. Unsampled requests get no
 * trace object at all, so the parts of a request (auth, queries, writes) record spans only when
 * `request.trace` is set — one null check each.
 */
export class Instrumenter {
  readonly settings: EventSettings
  readonly buffer: EventBuffer
  private forcedSecond = 0
  private forcedCount = 0

  constructor (settings: EventSettings, opts: { write?: (app: AppContext, rows: EventRow[]) => Promise<void>, log?: BufferLogger } = {}) {
    this.settings = settings
    this.buffer = new EventBuffer({
      flushIntervalMs: settings.flushIntervalMs,
      batchSize: settings.batchSize,
      maxBuffered: settings.maxBuffered,
      write: opts.write ?? (async (app, rows) => { await insertEvents(app.sql, rows) }),
      ...(opts.log !== undefined ? { log: opts.log } : {})
    })
  }

  /**
   * The trace of a request when it is sampled, else null. Sampled: by the configured rate, or
   * by the sampled flag of a W3C `traceparent` carrying this trace id (at most
   * `maxForcedPerSecond` such requests per second, so clients cannot make every request
   * expensive). A rate of 0 switches request spans off entirely.
   */
  startRequest (traceId: string, headers: IncomingHttpHeaders): RequestTrace | null {
    const { enabled, samplingRate } = this.settings
    if (!enabled || samplingRate <= 0) return null
    const parent = headers.traceparent === undefined ? null : parseTraceparent(headers.traceparent)
    const linked = parent !== null && parent.traceId === traceId ? parent : null
    if (Math.random() >= samplingRate && !(linked?.sampled === true && this.mayForce())) return null
    return {
      traceId,
      spanId: randomHex(8),
      parentSpanId: linked?.parentId ?? null,
      mono: performance.now(),
      wall: nowMs(),
      authEnd: 0,
      handlerStart: 0,
      spans: []
    }
  }

  /**
   * Whether to record a span of background work (a webhook delivery): failures always, other
   * work by the sampling rate. Nothing while request spans are switched off.
   */
  keepBackground (failed: boolean): boolean {
    const { enabled, samplingRate } = this.settings
    return enabled && samplingRate > 0 && (failed || Math.random() < samplingRate)
  }

  /** Buffers events of an app (finished request spans, business events). */
  record (app: AppContext, rows: readonly EventRow[]): void {
    this.buffer.push(app, rows)
  }

  private mayForce (): boolean {
    const second = Math.floor(Date.now() / 1000)
    if (second !== this.forcedSecond) {
      this.forcedSecond = second
      this.forcedCount = 0
    }
    return ++this.forcedCount <= this.settings.maxForcedPerSecond
  }
}
