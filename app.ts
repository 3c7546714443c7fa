import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify'
import { loadConfig, type Config } from './config/index.js'
import { fastifyTrustProxy } from './config/trust-proxy.js'
import { createEngine, type EngineModule } from './lib/engine/modules.js'
import { engineModules } from './lib/engine/registry-of-modules.js'
import { traceIdOf } from './lib/events/ids.js'
import appResolver from './plugins/app-resolver.js'
import auth from './plugins/auth.js'
import corsPlugin from './plugins/cors.js'
import drain from './plugins/drain.js'
import engine from './plugins/engine.js'
import errorHandler from './plugins/error-handler.js'
import { routeSerializerCompiler, routeValidatorCompiler, type SchemaCompilation } from './lib/schema/route-compilers.js'
import events from './plugins/events.js'
import jsonBody from './plugins/json-body.js'
import mail from './plugins/mail.js'
import platform from './plugins/platform.js'
import readReplicas from './plugins/read-replicas.js'
import realtime from './plugins/realtime.js'
import securityHeaders from './plugins/security-headers.js'
import textGuard from './plugins/text-guard.js'
import filesCleanup from './plugins/files-cleanup.js'
import adminUi from './routes/admin-ui.js'
import appScope from './routes/app/index.js'
import healthRoutes from './routes/health.js'
import platformAppRoutes from './routes/platform/apps.js'
import platformAuthRoutes from './routes/platform/auth.js'
import platformServerRoutes from './routes/platform/servers.js'
import requestLog from './plugins/request-log.js'
import { lazyChildLogger } from './lib/lazy-logger.js'

export interface BuildOptions {
  config?: Config
  logger?: FastifyServerOptions['logger']
  /** Folder of the built admin UI served at /admin/ (default `admin/dist`). */
  adminRoot?: string
  /** Replaces the engine's module list, given the standard one (tests wrap action handlers). */
  modules?: (standard: EngineModule[]) => EngineModule[]
  /** When the routes' declared schemas compile (`lib/schema/route-compilers.ts`); default at startup. */
  schemaCompilation?: SchemaCompilation
}

/**
 * Builds a configured Rocket server without listening (tests use `inject`). Plugins are
 * registered explicitly, in dependency order: hardening, control plane, app resolver, auth,
 * then the route areas.
 */
export async function buildApp (options: BuildOptions = {}): Promise<FastifyInstance> {
  const config = options.config ?? loadConfig()
  const fastify = Fastify({
    logger: options.logger ?? false,
    bodyLimit: config.bodyLimit,
    // Off unless configured: X-Forwarded-For would let any client choose its IP (docs/security.md).
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // The platform plugin may wait out a crashed predecessor's embedded PostgreSQL (up to 30 s) and migrate every app.
    pluginTimeout: 120_000,
    // The request id is the trace id (docs/reference.md, "UI configs, audit log, events"): from traceparent / X-Trace-ID, else random; logs carry it.
    genReqId: traceIdOf,
    // Fastify's two lines per request are replaced by plugins/request-log.ts (one line, LOG_REQUESTS).
    logController: new LogController({ disableRequestLogging: true }),
    // `request.log` is created when a request first logs, not for every request (lib/lazy-logger.ts).
    ...(options.logger !== undefined && options.logger !== false ? { childLoggerFactory: lazyChildLogger } : {}),
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    // Router-level failures (malformed URL encoding) bypass the error handler: answer them here.
    frameworkErrors: (_error, request, reply) => {
      void (reply as FastifyReply).code(400).header('x-trace-id', request.id).type('application/json; charset=utf-8')
        .send('{"error":{"code":"INVALID_PAYLOAD","message":"Malformed URL"}}')
    }
  })
  // Declared route schemas: bodies by the project's Ajv (strict, unknown keys refused), URL parts coerced (docs/ARCHITECTURE.md, "Route schemas").
  const compilation = options.schemaCompilation ?? 'at-startup'
  fastify.setValidatorCompiler(routeValidatorCompiler(compilation))
  const serializerCompiler = routeSerializerCompiler(compilation)
  if (serializerCompiler !== undefined) fastify.setSerializerCompiler(serializerCompiler)
  await fastify.register(errorHandler)
  await fastify.register(drain)
  await fastify.register(requestLog, { enabled: config.logRequests })
  await fastify.register(securityHeaders)
  await fastify.register(jsonBody, { largeBodyBytes: config.largeBodyBytes, largeBodyConcurrency: config.largeBodyConcurrency })
  // Engine modules get their logger and collaborators now; their background work starts when the server is ready.
  const modules = engineModules({ config, log: { error: (obj, msg) => { fastify.log.error(obj, msg) }, warn: (obj, msg) => { fastify.log.warn(obj, msg) } } })
  await fastify.register(platform, { config, engine: createEngine(options.modules?.(modules) ?? modules) })
  // Right after the platform: modules stop after every later plugin closed, before the pools close.
  await fastify.register(engine)
  await fastify.register(readReplicas)
  // Trace id header and sampling before CORS answers preflights; closed after the jobs below, before platform.
  await fastify.register(events)
  await fastify.register(corsPlugin, { origin: config.corsOrigin })
  // After the trace id and CORS hooks, so a refused URL's answer carries their headers too.
  await fastify.register(textGuard)
  await fastify.register(filesCleanup)
  await fastify.register(mail)
  await fastify.register(realtime)
  await fastify.register(appResolver)
  await fastify.register(auth)

  await fastify.register(healthRoutes)
  await fastify.register(platformAuthRoutes, { prefix: '/api/_platform/auth' })
  await fastify.register(platformAppRoutes, { prefix: '/api/_platform/apps' })
  await fastify.register(platformServerRoutes, { prefix: '/api/_platform/servers' })
  await fastify.register(appScope, { prefix: '/api/:app' })
  await fastify.register(adminUi, options.adminRoot !== undefined ? { root: options.adminRoot } : {})
  return fastify
}
