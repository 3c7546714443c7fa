import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { performance } from 'node:perf_hooks'
import type { UserContext } from '../lib/apps/context.js'
import { webhookSpan } from '../lib/events/background-spans.js'
import { eventSettings, eventUserId, Instrumenter } from '../lib/events/instrumenter.js'
import { instrumenterOf } from '../lib/events/module.js'
import { requestSpans, type RequestOutcome } from '../lib/events/request-spans.js'
import { startRetention, type RetentionJob } from '../lib/events/retention.js'
import type { RequestTrace } from '../lib/events/types.js'
import { webhookRuntimeOf } from '../lib/webhooks/module.js'

/** What the server exposes of its instrumentation (tests, operations). */
export interface EventsControl {
  instrumenter: Instrumenter
  /** Writes every buffered event now. */
  flush: () => Promise<void>
  /** Runs the retention job now; returns the rows deleted. */
  cleanup: () => Promise<number>
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's trace when it is sampled, else null (nothing is recorded for it). */
    trace: RequestTrace | null
  }
  interface FastifyInstance {
    events: EventsControl
  }
}

const RETENTION_INTERVAL_MS = 60 * 60 * 1000
const RETENTION_FIRST_DELAY_MS = 60 * 1000

function outcomeOf (request: FastifyRequest, reply: FastifyReply): RequestOutcome {
  const params = request.params as { entity?: string, id?: string } | undefined
  const user = request.user as UserContext | null
  return {
    method: request.method,
    route: request.routeOptions.url ?? null,
    statusCode: reply.statusCode,
    userId: eventUserId(user?.id),
    entity: params?.entity ?? null,
    recordId: params?.id ?? null,
    end: performance.now()
  }
}

/**
 * Instrumentation (docs/reference.md, "UI configs, audit log, events"). Every request gets a trace id — Fastify's request id, chosen by
 * `traceIdOf` (app.ts `genReqId`) — returned in `X-Trace-ID`. A sampled request carries a
 * `RequestTrace`: the lifecycle hooks mark where auth ends and the handler starts, the write
 * path adds write spans, and when the response has gone its spans go to the app's event buffer
 * in one push. Unsampled requests cost a header and a null check per hook. Also records webhook
 * delivery attempts, runs the retention job, and flushes the buffer on close (after the
 * background jobs, before the pools close).
 */
async function eventsPlugin (fastify: FastifyInstance): Promise<void> {
  const { config, engine } = fastify.platform
  const instrumenter = instrumenterOf(engine) ?? new Instrumenter(eventSettings(config))
  instrumenter.buffer.log = { warn: (obj, msg) => fastify.log.warn(obj, msg) }
  fastify.decorateRequest('trace', null)

  // Callback-style hooks: they run on every request, and an async hook costs a promise each.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-trace-id', request.id)
    request.trace = instrumenter.startRequest(request.id, request.headers)
    done()
  })
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    if (request.trace !== null) request.trace.authEnd = performance.now()
    done(null, payload)
  })
  fastify.addHook('preHandler', (request, _reply, done) => {
    if (request.trace !== null) request.trace.handlerStart = performance.now()
    done()
  })
  fastify.addHook('onResponse', (request, reply, done) => {
    const trace = request.trace
    // Spans live in the app's own database: requests outside an app (platform, health) are not recorded.
    if (trace !== null && request.appCtx !== null) instrumenter.record(request.appCtx, requestSpans(trace, outcomeOf(request, reply)))
    done()
  })

  // Webhook deliveries happen in the background: one span per attempt (its plugin closes before this one).
  const webhooks = webhookRuntimeOf(engine)
  if (webhooks !== null) {
    webhooks.onAttempt = (app, attempt) => {
      if (instrumenter.keepBackground(attempt.status !== 'delivered')) instrumenter.record(app, [webhookSpan(attempt)])
    }
  }

  let retention: RetentionJob | null = null
  fastify.addHook('onReady', async () => {
    retention = startRetention({
      apps: async () => await fastify.platform.apps.openContexts(),
      days: instrumenter.settings.retentionDays,
      intervalMs: RETENTION_INTERVAL_MS,
      firstDelayMs: RETENTION_FIRST_DELAY_MS,
      log: { warn: (obj, msg) => fastify.log.warn(obj, msg) }
    })
  })
  fastify.decorate('events', {
    instrumenter,
    flush: async () => { await instrumenter.buffer.flush() },
    cleanup: async () => await (retention?.runNow() ?? Promise.resolve(0))
  })
  fastify.addHook('onClose', async () => {
    await retention?.stop()
    await instrumenter.buffer.close()
  })
}

export default fp(eventsPlugin, { name: 'events', fastify: '5.x', dependencies: ['platform'] })
