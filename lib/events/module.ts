import type { AppContext } from '../apps/context.js'
import { silentLogger, type Engine, type EngineLogger, type EngineModule } from '../engine/modules.js'
import type { DeliveryAttempt } from '../webhooks/runtime.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import { webhookSpan } from './background-spans.js'
import { eventSettings, eventUserId, Instrumenter, nowMs, spanRow, wallOf } from './instrumenter.js'
import { startRetention, type RetentionJob } from './retention.js'
import { sendEventHandler } from './send-event.js'
import type { EventSettings } from './types.js'

export const EVENTS = 'events'

const RETENTION_INTERVAL_MS = 60 * 60 * 1000
const RETENTION_FIRST_DELAY_MS = 60 * 1000

/** Nested-write spans recorded per unit; a bulk nested payload beyond this is summarized in the write span. */
const MAX_NESTED_SPANS = 100

/** The events engine module, with the instrumenter the events plugin records request spans through. */
export interface EventsModule extends EngineModule {
  instrumenter: Instrumenter
  /** Records a webhook delivery attempt as a background span (the webhook runtime's `onAttempt`). */
  recordWebhookAttempt: (app: AppContext, attempt: DeliveryAttempt) => void
  /** Runs the retention job now (0 before `start`); returns the rows deleted. */
  cleanup: () => Promise<number>
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
 * sampled requests, `send_event` actions are recorded as business events, and webhook delivery attempts as background spans.
 * First in the pipeline so that its `afterCommit` times the unit before other modules' after-commit work (webhook dispatch,
 * workflow runs) starts, and last to stop: the buffer is flushed once the other modules' work has ended. `start` runs the
 * retention job.
 */
export function eventsModule (settings: EventSettings = eventSettings(), opts: { log?: EngineLogger } = {}): EventsModule {
  const log = opts.log ?? silentLogger
  const instrumenter = new Instrumenter(settings, { log })
  let retention: RetentionJob | null = null
  return {
    name: EVENTS,
    instrumenter,
    writeHooks: { name: EVENTS, afterCommit: recordWriteSpans },
    actions: { send_event: sendEventHandler(instrumenter) },
    recordWebhookAttempt: (app, attempt) => {
      if (instrumenter.keepBackground(attempt.status !== 'delivered')) instrumenter.record(app, [webhookSpan(attempt)])
    },
    cleanup: async () => await (retention?.runNow() ?? Promise.resolve(0)),
    start: (host) => {
      retention = startRetention({
        apps: host.apps,
        days: settings.retentionDays,
        intervalMs: RETENTION_INTERVAL_MS,
        firstDelayMs: RETENTION_FIRST_DELAY_MS,
        log
      })
    },
    stop: async () => {
      await retention?.stop()
      await instrumenter.buffer.close()
    }
  }
}

/** The events module of an engine (null when the engine has none). */
export function eventsModuleOf (engine: Engine): EventsModule | null {
  return (engine.modules.find((x) => x.name === EVENTS) as EventsModule | undefined) ?? null
}
