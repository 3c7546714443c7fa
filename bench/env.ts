/**
 * Benchmark infrastructure: a throw-away embedded PostgreSQL, the two servers under test as
 * child processes (so each one's RSS is its own), free ports and RSS sampling.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../lib/db/embedded.js'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** A port the OS reports free right now. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => { resolve(typeof addr === 'object' && addr !== null ? addr.port : 0) })
    })
  })
}

/** Embedded PostgreSQL in a temp directory, removed on stop. */
export async function startDatabase (): Promise<EmbeddedDatabase> {
  const dataDir = path.join(tmpdir(), `rocket-bench-${process.pid}-${randomBytes(4).toString('hex')}`)
  // pg_stat_statements: the statement count per request (bench/statements.ts).
  return await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true, log: (m) => { console.error(`[pg] ${m}`) }, settings: { shared_preload_libraries: 'pg_stat_statements' } })
}

/** A server under test running in its own process. */
export interface ServerProcess {
  name: string
  url: string
  pid: number
  /** Resident set size in MB, from /proc/<pid>/status (VmRSS). */
  rss: () => number
  /** CPU time (user + system) the process used so far, in ms. */
  cpu: () => number
  stop: () => Promise<void>
}

/** How to start a server under test. */
export interface SpawnOptions {
  name: string
  /** Script path relative to the repository root: `.ts` runs through tsx, `.js` (a build) directly. */
  script: string
  env: Record<string, string>
  /** Extra node flags (e.g. `--cpu-prof`). */
  nodeFlags?: string[]
}

/** Reads VmRSS of a process in MB (0 once it is gone). */
export function rssOf (pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? 0 : Math.round(Number(m[1]) / 1024)
  } catch {
    return 0
  }
}

/** User + system CPU time of a process in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
export function cpuOf (pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return 0
  }
}

/**
 * CPU time (ms) used so far by the PostgreSQL backends serving database `db`, per pid: their
 * process titles read `postgres: <user> <db> <client> <state>`.
 */
export function backendCpu (db: string): Map<number, number> {
  const out = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (cmd.startsWith('postgres: ') && cmd.split(' ')[2] === db) out.set(Number(entry), cpuOf(Number(entry)))
    } catch {}
  }
  return out
}

async function waitForHealth (url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`)
    try {
      const res = await fetch(`${url}/health`)
      if (res.ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`server at ${url} not healthy after ${timeoutMs} ms`)
}

const running = new Set<ServerProcess>()
// A crashed benchmark must not leave servers behind (they would hold the database open).
process.on('exit', () => { for (const s of running) process.kill(s.pid, 'SIGKILL') })

/** Stops every server this process started (SIGTERM, so profiles and pools are flushed). */
export async function stopServers (): Promise<void> {
  for (const s of [...running].reverse()) await s.stop().catch(() => {})
}

/** Starts `node [flags] [--import tsx] <script>` with the given env and waits for /health. */
export async function spawnServer (opts: SpawnOptions): Promise<ServerProcess> {
  const port = await freePort()
  const args = [...(opts.nodeFlags ?? []), ...(opts.script.endsWith('.ts') ? ['--import', 'tsx'] : []), opts.script]
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'inherit', 'inherit']
  })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForHealth(url, child, 120_000)
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  const pid = child.pid as number
  const server: ServerProcess = {
    name: opts.name,
    url,
    pid,
    rss: () => rssOf(pid),
    cpu: () => cpuOf(pid),
    stop: async () => {
      running.delete(server)
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    }
  }
  running.add(server)
  return server
}
