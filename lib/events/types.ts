/** Where an event comes from: the engine's own instrumentation, or an app's `POST /_events`. */
export type EventSource = 'system' | 'business'

/** The columns of an `_events` row but its time. */
interface EventColumns {
  id: string
  trace_id: string
  span_id: string | null
  parent_span_id: string | null
  event_type: string
  source: EventSource
  component: string | null
  action: string | null
  entity: string | null
  record_id: string | null
  /** Only a UUID (the column's type); other user ids go into `metadata`. */
  user_id: string | null
  duration_ms: number | null
  status: 'ok' | 'error' | null
  metadata: Record<string, unknown> | null
}

/** An event on its way to `_events` (what the buffer holds). */
export interface EventRow extends EventColumns {
  /** When the span started (or the event happened), epoch ms with a fraction (µs are kept). */
  created_at: number
}

/** An `_events` row as read back. */
export interface StoredEvent extends EventColumns {
  created_at: Date
}

/**
 * The trace of one sampled request. Parts of the request (auth, the query, each write unit)
 * add their spans to `spans` as they end; the whole set goes to the buffer once, when the
 * response is sent. Unsampled requests have none (`request.trace` is null): they cost nothing
 * beyond their trace id.
 */
export interface RequestTrace {
  traceId: string
  /** Span id of the request's `http` span, the parent of its other spans. */
  spanId: string
  /** The caller's span (parent-id of a W3C `traceparent`), null otherwise. */
  parentSpanId: string | null
  /** `performance.now()` at the start of the request: span times are offsets from it. */
  mono: number
  /** Wall-clock epoch ms matching `mono` (with a fraction). */
  wall: number
  /** `performance.now()` when the auth phase ended (the body starts being read); 0 until then. */
  authEnd: number
  /** `performance.now()` when the handler started; 0 until then. */
  handlerStart: number
  spans: EventRow[]
}

/** How this server instruments requests; derived from the configuration once. */
export interface EventSettings {
  /** System spans recorded at all (business events are recorded either way). */
  enabled: boolean
  /** Share of requests sampled (0..1). */
  samplingRate: number
  retentionDays: number
  flushIntervalMs: number
  /** A flush starts as soon as an app has this many events buffered; also the rows per INSERT. */
  batchSize: number
  /** Events buffered per app beyond which the oldest are dropped (the database is not keeping up). */
  maxBuffered: number
  /** Requests per second a `traceparent` sampled flag may force into the sample, beyond the rate. */
  maxForcedPerSecond: number
}
