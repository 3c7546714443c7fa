import { randomBytes } from 'node:crypto'
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
    const port = 20000 + Math.floor(Math.random() * 30000)
    const dataDir = path.join(tmpdir(), `rocket-test-${process.pid}-${randomBytes(4).toString('hex')}`)
    const pg = await startEmbeddedPostgres({ dataDir, port, ephemeral: true })
    stopHooks.push(pg.stop)
    return pg.url
  })()
  return serverUrl
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
