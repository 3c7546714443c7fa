import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, onSendHookHandler } from 'fastify'
import type { Sql } from '../lib/db/connection.js'
import type { AppContext } from '../lib/apps/context.js'
import { invalidPayload } from '../lib/errors.js'
import { ReplicaHealth } from '../lib/replicas/health.js'
import { parseLsn } from '../lib/replicas/lsn.js'
import { ReadRouter } from '../lib/replicas/router.js'
import { WalPosition } from '../lib/replicas/wal-position.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** `X-Rocket-Min-LSN`: the read must not see data older than this WAL position (null: no header). */
    minLsn: bigint | null
  }
  interface FastifyInstance {
    replicaHealth: ReplicaHealth
    /** Runs an app's read on a replica when one may serve it, else on the app's pool (docs/ARCHITECTURE.md, "Read replicas"). */
    readFrom: <T>(request: FastifyRequest, app: AppContext, work: (sql: Sql) => Promise<T>) => Promise<T>
    /** App-scope hooks: `X-Rocket-Min-LSN` parsed (malformed → 400) and `X-Rocket-Commit-LSN` on 2xx writes. */
    replicaHooks: { minLsn: onRequestHookHandler, commitLsn: onSendHookHandler, commitLsnStats: WalPosition['stats'] }
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Read replicas and read-your-writes: the background probe (`REPLICA_PROBE_INTERVAL_MS`), the
 * read router, and the two headers. Registered after the platform plugin, whose server
 * directory says which replicas exist.
 */
async function readReplicas (fastify: FastifyInstance): Promise<void> {
  const { platform } = fastify
  const { config, servers, apps } = platform
  const health = new ReplicaHealth({ intervalMs: config.replicaProbeIntervalMs, log: { warn: (m) => fastify.log.warn(m), info: (m) => fastify.log.info(m) } })
  const router = new ReadRouter({ servers, apps, health, maxLagMs: config.replicaMaxLagMs, poolSize: config.appPoolSize, idleTimeout: config.appPoolIdleTimeout })
  const wal = new WalPosition((server) => servers.adminSql(server))
  const follow = (): void => { health.setReplicas(servers.list().flatMap((s) => s.replicas)) }
  follow()
  servers.onChange(follow)
  health.start()
  const pruning = setInterval(() => { router.prune() }, 5000)
  pruning.unref()

  fastify.decorate('replicaHealth', health)
  fastify.decorateRequest('minLsn', null)
  fastify.decorate('readFrom', async function readFrom<T> (request: FastifyRequest, app: AppContext, work: (sql: Sql) => Promise<T>): Promise<T> {
    return await router.read(app, request.minLsn, work)
  })

  function minLsn (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
    const header = request.headers['x-rocket-min-lsn']
    if (header === undefined) { done(); return }
    const lsn = typeof header === 'string' ? parseLsn(header.trim()) : null
    if (lsn === null) {
      done(invalidPayload('Malformed X-Rocket-Min-LSN', [{ field: 'X-Rocket-Min-LSN', rule: 'format', message: 'must be a WAL position as X-Rocket-Commit-LSN gives it, e.g. 0/16B3748' }]))
      return
    }
    request.minLsn = lsn
    done()
  }

  // Callback style: reads (most requests) pass through without a promise.
  function commitLsn (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, value?: unknown) => void): void {
    const app = request.appCtx
    if (app === null || READ_METHODS.has(request.method) || reply.statusCode < 200 || reply.statusCode > 299) { done(null, payload); return }
    wal.request(app.server, (err, lsn) => {
      if (lsn !== undefined) reply.header('x-rocket-commit-lsn', lsn)
      // The write is committed: its answer must not turn into an error; reads simply go to the primary.
      else request.log.warn({ err }, 'reading the commit WAL position failed')
      done(null, payload)
    })
  }

  fastify.decorate('replicaHooks', { minLsn, commitLsn, commitLsnStats: wal.stats })

  fastify.addHook('onClose', async () => {
    clearInterval(pruning)
    await router.close()
    await health.close()
  })
}

export default fp(readReplicas, { name: 'read-replicas', fastify: '5.x', dependencies: ['platform'] })
