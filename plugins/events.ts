import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { performance } from 'node:perf_hooks'
import type { UserContext } from '../lib/apps/context.js'
import { eventSettings, eventUserId, Instrumenter } from '../lib/events/instrumenter.js'
import { eventsModuleOf } from '../lib/events/module.js'
import { requestSpans, type RequestOutcome } from '../lib/events/request-spans.js'
import type { RequestTrace } from '../lib/events/types.js'

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
 * in one push. Unsampled requests cost a header and a null check per hook. The events engine
 * module owns the buffer and the retention job (started and stopped with the engine: plugins/engine.ts).
 */
async function eventsPlugin (fastify: FastifyInstance): Promise<void> {
  const { config, engine } = fastify.platform
  const eventsModule = eventsModuleOf(engine)
  // An engine without the events module: request spans still go to a buffer of this plugin's own.
  const instrumenter = eventsModule?.instrumenter ?? new Instrumenter(eventSettings(config), { log: { warn: (obj, msg) => { fastify.log.warn(obj, msg) } } })
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

  fastify.decorate('events', {
    instrumenter,
    flush: async () => { await instrumenter.buffer.flush() },
    cleanup: async () => await (eventsModule?.cleanup() ?? Promise.resolve(0))
  })
  if (eventsModule === null) fastify.addHook('onClose', async () => { await instrumenter.buffer.close() })
}

export default fp(eventsPlugin, { name: 'events', fastify: '5.x', dependencies: ['platform'] })
