import type { Engine, EngineModule } from '../engine/modules.js'
import { registerActionHandler } from '../state-machines/side-effects.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import { eventSettings, eventUserId, Instrumenter, nowMs, spanRow, wallOf } from './instrumenter.js'
import { EVENTS_EXTENSION, handleSendEvent } from './send-event.js'
import type { EventSettings } from './types.js'

export const EVENTS = 'events'

let handlerRegistered = false

/** Nested-write spans recorded per unit; a bulk nested payload beyond this is summarized in the write span. */
const MAX_NESTED_SPANS = 100

/** The events engine module, with the instrumenter the server plugin drives. */
export interface EventsModule extends EngineModule {
  instrumenter: Instrumenter
}

function recordIdOf (node: WriteNode): string | null {
  const value = (node.row ?? node.old)?.[node.entity.pk.name]
  return value === undefined || value === null ? null : String(value)
}

/**
 * The module's `afterCommit`: when the unit belongs to a sampled request (`unit.trace`), one
 * `write` span for the unit — from its start (`unit.now`) to its commit — and one `write.nested`
 * span, child of it, per other record the unit wrote (nested payloads, cascades). Nothing at
 * all for unsampled requests and engine work.
 */
export function recordWriteSpans (nodes: WriteNode[], unit: WriteUnit): void {
  const trace = unit.trace
  if (trace === null || trace === undefined || nodes.length === 0) return
  const root = nodes.find((n) => n.path === '') ?? nodes[0] as WriteNode
  // `unit.now` is whole ms: a unit cannot start before its request's handler did.
  const startedAt = Math.max(unit.now.getTime(), trace.handlerStart > 0 ? wallOf(trace, trace.handlerStart) : 0)
  const userId = eventUserId(unit.user?.id)
  const write = spanRow(trace, {
    eventType: `write.${root.action}`,
    component: 'write',
    action: root.action,
    entity: root.entity.name,
    recordId: recordIdOf(root),
    userId,
    startedAt,
    durationMs: Math.max(0, nowMs() - startedAt),
    status: 'ok',
    metadata: nodes.length > 1 ? { records: nodes.length } : null
  })
  trace.spans.push(write)
  let nested = 0
  for (const node of nodes) {
    if (node === root) continue
    if (++nested > MAX_NESTED_SPANS) break
    trace.spans.push(spanRow(trace, {
      eventType: 'write.nested',
      component: 'write',
      action: node.action,
      entity: node.entity.name,
      recordId: recordIdOf(node),
      userId,
      startedAt,
      durationMs: null,
      status: 'ok',
      metadata: { path: node.path, ...(node.cascade === true ? { cascade: true } : {}) },
      parentSpanId: write.span_id
    }))
  }
}

/**
 * Instrumentation (docs/reference.md, "UI configs, audit log, events") as an engine module: its write hook records the write spans of
 * sampled requests, and `send_event` actions are recorded as business events. First in the pipeline so that its `afterCommit` times the unit before other
 * modules' after-commit work (webhook dispatch, workflow runs) starts.
 */
export function eventsModule (settings: EventSettings = eventSettings()): EventsModule {
  const instrumenter = new Instrumenter(settings)
  // Once per process: the handler finds the instrumenter through the app's registry (`load`), so
  // several servers in one process each record their own apps' events.
  if (!handlerRegistered) {
    registerActionHandler('send_event', handleSendEvent)
    handlerRegistered = true
  }
  return {
    name: EVENTS,
    instrumenter,
    load: async (_app, registry) => { registry.extensions.set(EVENTS_EXTENSION, instrumenter) },
    writeHooks: { name: EVENTS, afterCommit: recordWriteSpans }
  }
}

/** The instrumenter of an engine (null when the engine has no events module). */
export function instrumenterOf (engine: Engine): Instrumenter | null {
  const m = engine.modules.find((x) => x.name === EVENTS) as EventsModule | undefined
  return m?.instrumenter ?? null
}
