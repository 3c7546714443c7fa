import cluster, { type Worker } from 'node:cluster'
import { pino, type Logger } from 'pino'
import type { Config } from '../../config/index.js'
import { withDatabase } from '../db/connection.js'
import { startEmbeddedPostgres, stopAllEmbedded } from '../db/embedded.js'
import { bootFailureLine } from './boot-error.js'

/**
 * `WORKERS=n` (docs/ARCHITECTURE.md, "Across processes"): this process is the cluster primary.
 * It serves nothing itself; n workers (node:cluster, each a full Rocket server) share the port.
 * Without DATABASE_URL the primary starts the embedded PostgreSQL once and hands its URL to the
 * workers. A worker that crashes after it started listening is replaced (after a pause that
 * grows while replacements keep crashing); a worker that fails to start stops the whole
 * cluster, as a single process would (its one-line reason is already printed). On SIGTERM or
 * SIGINT every worker drains (plugins/drain.ts); the primary exits 0 once all exited 0, 1 otherwise.
 */
export async function runPrimary (config: Config): Promise<never> {
  const log = pino({ level: config.logLevel })
  const env: Record<string, string> = {}
  if (config.databaseUrl === null) {
    try {
      const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log: (m) => { log.warn(m) } })
      env.DATABASE_URL = withDatabase(pg.url, 'rocket')
    } catch (err) {
      console.error(bootFailureLine(err))
      await stopAllEmbedded()
      process.exit(1)
    }
  }
  const supervisor = new Supervisor(config, log, env)
  supervisor.start()
  const code = await supervisor.finished
  await stopAllEmbedded()
  log.info(`cluster stopped (exit ${code})`)
  process.exit(code)
}

const FIRST_RESTART_DELAY_MS = 500
const MAX_RESTART_DELAY_MS = 30_000
/** A replacement that stays up this long resets the restart pause. */
const STABLE_AFTER_MS = 30_000

class Supervisor {
  private readonly listening = new Set<Worker>()
  private stopping = false
  private failed = false
  private restartDelay = FIRST_RESTART_DELAY_MS
  private resolve: (code: number) => void = () => {}
  readonly finished = new Promise<number>((resolve) => { this.resolve = resolve })

  constructor (private readonly config: Config, private readonly log: Logger, private readonly env: Record<string, string>) {}

  start (): void {
    for (let i = 0; i < this.config.workers; i++) this.fork()
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => { this.stop(signal) })
  }

  private fork (): void {
    const worker = cluster.fork(this.env)
    const startedAt = Date.now()
    worker.once('listening', () => {
      this.listening.add(worker)
      this.log.info(`worker ${worker.id} (pid ${String(worker.process.pid)}) listening`)
    })
    worker.once('exit', (code, signal) => {
      const wasListening = this.listening.delete(worker)
      // A crash that was recovered from does not make the final drain a failure.
      if (code !== 0 && (this.stopping || !wasListening)) this.failed = true
      if (this.stopping) {
        this.log.info(`worker ${worker.id} exited (${signal ?? code})`)
        this.settle()
        return
      }
      if (!wasListening) {
        this.log.error(`worker ${worker.id} exited (${signal ?? code}) before it listened: stopping the cluster`)
        this.stop('SIGTERM')
        return
      }
      this.log.error(`worker ${worker.id} (pid ${String(worker.process.pid)}) exited (${signal ?? code}); starting a replacement`)
      this.restartDelay = Date.now() - startedAt > STABLE_AFTER_MS ? FIRST_RESTART_DELAY_MS : Math.min(this.restartDelay * 2, MAX_RESTART_DELAY_MS)
      setTimeout(() => { if (!this.stopping) this.fork() }, this.restartDelay).unref()
    })
  }

  /** Drains every worker; a worker still running past SHUTDOWN_TIMEOUT (plus a margin) is killed. */
  private stop (signal: NodeJS.Signals): void {
    if (this.stopping) return
    this.stopping = true
    this.log.info(`${signal} received, draining ${Object.keys(cluster.workers ?? {}).length} workers`)
    for (const worker of this.alive()) worker.process.kill('SIGTERM')
    setTimeout(() => {
      for (const worker of this.alive()) { this.failed = true; worker.process.kill('SIGKILL') }
    }, this.config.shutdownTimeout * 1000 + 2000).unref()
    this.settle()
  }

  private alive (): Worker[] {
    return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead())
  }

  private settle (): void {
    if (this.alive().length === 0) this.resolve(this.failed ? 1 : 0)
  }
}
