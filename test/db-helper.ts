import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { connect, withDatabase, type Sql } from '../lib/db/connection.js'
import { startEmbeddedPostgres } from '../lib/db/embedded.js'

/**
 * A PostgreSQL server for the current test process: TEST_DATABASE_URL / DATABASE_URL when set,
 * else an embedded server on a random port in a temp dir, stopped when the process exits.
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
    // Test files run in parallel, each with its own server: a start can still lose a port race
    // or time out on a loaded machine, so try a few times on fresh ports and directories.
    let lastError: unknown
    for (let attempt = 0; attempt < 3; attempt++) {
      const dataDir = path.join(tmpdir(), `rocket-test-${process.pid}-${randomBytes(4).toString('hex')}`)
      try {
        const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true })
        stopHooks.push(pg.stop)
        return pg.url
      } catch (err) {
        lastError = err
      }
    }
    throw lastError
  })()
  return serverUrl
}

/** A TCP port the OS just reported free on the loopback interface. */
async function freePort (): Promise<number> {
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
