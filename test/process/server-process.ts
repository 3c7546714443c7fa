import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PROJECT_ROOT } from '../../lib/project-root.js'
import { freePort } from '../db-helper.js'
import { entryArgs } from '../entry.js'

export { freePort }

/**
 * The real server entry (`server.ts`) in a child process of its own process group, as a
 * supervisor runs it: its own HTTP and embedded PostgreSQL ports and data directory; never the
 * test run's shared PostgreSQL (DATABASE_URL / TEST_DATABASE_URL are removed from its env).
 */

export interface ServerProcess {
  child: ChildProcess
  port: number
  pgPort: number
  dataDir: string
  base: string
  /** Everything the process wrote to stdout and stderr so far. */
  stdout: () => string
  stderr: () => string
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  exited: Promise<number | string>
}

export interface StartOptions {
  dataDir?: string
  port?: number
  pgPort?: number
  env?: Record<string, string>
  /** Entry to run instead of `server.ts` (e.g. `lib/db/migrate-cli.ts`). */
  script?: string
}

export function tempDataDir (): string {
  return path.join(tmpdir(), `rocket-proc-${randomBytes(4).toString('hex')}`)
}

export async function startServer (options: StartOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? await freePort()
  const pgPort = options.pgPort ?? await freePort()
  const dataDir = options.dataDir ?? tempDataDir()
  const env: Record<string, string> = { ...process.env as Record<string, string> }
  delete env.DATABASE_URL
  delete env.TEST_DATABASE_URL
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    EMBEDDED_PG_PORT: String(pgPort),
    DATA_DIR: dataDir,
    STORAGE_PATH: path.join(dataDir, 'uploads'),
    LOG_LEVEL: 'info',
    BCRYPT_COST: '4',
    ...options.env
  })
  const child = spawn(process.execPath, entryArgs(options.script ?? 'server.ts'), { cwd: PROJECT_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout?.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr?.on('data', (c: Buffer) => { err += c.toString() })
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => { resolve(code ?? signal ?? 'unknown') })
  })
  return { child, port, pgPort, dataDir, base: `http://127.0.0.1:${port}`, stdout: () => out, stderr: () => err, exited }
}

/** Polls /health until it answers 200; throws (with the output) when the process exits first. */
export async function waitReady (server: ServerProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let gone: number | string | null = null
  void server.exited.then((code) => { gone = code })
  while (Date.now() < deadline) {
    if (gone !== null) throw new Error(`server exited (${String(gone)}) before ready:\n${server.stderr()}\n${server.stdout().slice(-2000)}`)
    try {
      const res = await fetch(`${server.base}/health`)
      if (res.status === 200) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`server not ready within ${timeoutMs} ms:\n${server.stderr()}\n${server.stdout().slice(-2000)}`)
}

/** Signals the whole process group (the server and the PostgreSQL it spawned). */
export function signalGroup (server: ServerProcess, signal: NodeJS.Signals): void {
  try { process.kill(-(server.child.pid ?? 0), signal) } catch {}
}

/** Test teardown: nothing of the server survives (asked first, then killed), its data directory is removed. */
export async function cleanup (server: ServerProcess): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) {
    signalGroup(server, 'SIGTERM')
    const stopped = await Promise.race([server.exited.then(() => true), new Promise((resolve) => setTimeout(resolve, 15_000, false))])
    if (stopped !== true) signalGroup(server, 'SIGKILL')
    await server.exited
  }
  await rm(server.dataDir, { recursive: true, force: true })
}

export async function platformLogin (base: string): Promise<Response> {
  return await fetch(`${base}/api/_platform/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'platform@localhost', password: 'changeme' })
  })
}
