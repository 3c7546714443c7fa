import type { StoredEvent } from './types.js'

/** A span placed in its trace: nesting depth and start offset from the trace's first span. */
export type WaterfallSpan = StoredEvent & { depth: number, offset_ms: number }

export interface Waterfall {
  trace_id: string
  started_at: Date
  /** From the first start to the last end among the spans. */
  duration_ms: number
  spans: WaterfallSpan[]
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000

/**
 * Siblings: earlier start first. Times read back are whole ms while the table keeps µs, so
 * spans starting within one ms keep the order they came in (`traceEvents` sorts by the exact
 * time; `Array#sort` is stable).
 */
function byStart (a: StoredEvent, b: StoredEvent): number {
  return a.created_at.getTime() - b.created_at.getTime()
}

/**
 * Orders a trace's events (given in start order) as a waterfall: depth-first from the roots
 * (spans whose parent is not in the trace, e.g. the http span or the caller's span), children
 * under their parent, siblings by start. Each span gets its `depth` and `offset_ms`. Pure; a parent cycle cannot loop (every
 * span is placed once). Null for an empty trace.
 */
export function buildWaterfall (rows: readonly StoredEvent[]): Waterfall | null {
  const first = rows[0]
  if (first === undefined) return null
  const bySpanId = new Map<string, StoredEvent>()
  for (const r of rows) if (r.span_id !== null) bySpanId.set(r.span_id, r)
  const children = new Map<StoredEvent | null, StoredEvent[]>()
  for (const r of rows) {
    const parent = r.parent_span_id !== null && r.parent_span_id !== r.span_id ? bySpanId.get(r.parent_span_id) ?? null : null
    const list = children.get(parent)
    if (list === undefined) children.set(parent, [r])
    else list.push(r)
  }
  for (const list of children.values()) list.sort(byStart)
  let start = first.created_at.getTime()
  let end = start
  for (const r of rows) {
    const t = r.created_at.getTime()
    start = Math.min(start, t)
    end = Math.max(end, t + (r.duration_ms ?? 0))
  }
  const spans: WaterfallSpan[] = []
  const placed = new Set<StoredEvent>()
  const visit = (r: StoredEvent, depth: number): void => {
    if (placed.has(r)) return
    placed.add(r)
    spans.push({ ...r, depth, offset_ms: round(r.created_at.getTime() - start) })
    for (const c of children.get(r) ?? []) visit(c, depth + 1)
  }
  for (const r of children.get(null) ?? []) visit(r, 0)
  // Spans only reachable through a cycle of parents: shown as roots rather than lost.
  for (const r of [...rows].sort(byStart)) visit(r, 0)
  return { trace_id: first.trace_id, started_at: new Date(start), duration_ms: round(end - start), spans }
}
