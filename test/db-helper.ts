import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { connect, withDatabase, type Sql } from '../lib/db/connection.js'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../lib/db/embedded.js'

/**
 * A PostgreSQL server for the current test process: TEST_DATABASE_URL / DATABASE_URL when set
 * (`npm test` sets TEST_DATABASE_URL to the run's shared server; each file still works in
 * databases of its own), else an embedded server of this process, stopped by `stopTestServer`.
 */
let serverUrl: Promise<string> | null = null

export function testServerUrl (): Promise<string> {
  if (serverUrl !== null) return serverUrl
  const external = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL
  if (external !== undefined && external !== '') {
    serverUrl = Promise.resolve(withDatabase(external, 'postgres'))
    return serverUrl
  }
  serverUrl = (async () => {
    const pg = await startEmbeddedTestServer()
    stopHooks.push(pg.stop)
    return pg.url
  })()
  return serverUrl
}

/**
 * A throwaway embedded server (random port, temp dir removed on stop, durability off). `npm test`
 * (test/run.js) starts one for the whole run and hands it to every file as TEST_DATABASE_URL;
 * a file run alone with `npx tap` starts its own.
 */
export async function startEmbeddedTestServer (): Promise<EmbeddedDatabase> {
  // A start can lose a port race or time out on a loaded machine: try fresh ports and directories.
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const dataDir = path.join(tmpdir(), `rocket-test-${process.pid}-${randomBytes(4).toString('hex')}`)
    try {
      return await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true, settings: TEST_SETTINGS })
    } catch (err) {
      lastError = err
    }
  }
  throw lastError
}

/** Test data is thrown away: skipping flushes to disk makes CREATE DATABASE and commits cheap; files running at once share the server's connections. */
const TEST_SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '500' }

/** A TCP port the OS just reported free on the loopback interface. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      srv.close(() => { resolve(port) })
    })
  })
}

const stopHooks: Array<() => Promise<void>> = []

/** Stops the embedded server (tap calls this through `t.teardown` in helpers). */
export async function stopTestServer (): Promise<void> {
  while (stopHooks.length > 0) await stopHooks.pop()?.()
  serverUrl = null
}

/** Drops a test file's databases (names from validated metadata or generated here). */
export async function dropDatabases (serverUrl: string, names: string[]): Promise<void> {
  const admin = connect(serverUrl, { max: 1 })
  try {
    for (const name of names) await admin.unsafe(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`).catch(() => {})
  } finally {
    await admin.end()
  }
}

interface Teardownable { teardown: (fn: () => unknown) => void }

/**
 * A fresh, empty database (with pgcrypto) for lib-level integration tests.
 * Dropped on teardown.
 */
export async function freshDatabase (t: Teardownable): Promise<Sql> {
  const url = await testServerUrl()
  const admin = connect(url, { max: 1 })
  const name = `t_${randomBytes(6).toString('hex')}`
  await admin.unsafe(`CREATE DATABASE "${name}"`)
  const sql = connect(withDatabase(url, name), { max: 4 })
  await sql`CREATE EXTENSION IF NOT EXISTS pgcrypto`
  t.teardown(async () => {
    await sql.end()
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await admin.end()
  })
  return sql
}
