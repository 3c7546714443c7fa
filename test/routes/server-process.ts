// Real Rocket server processes for tests that need several (not a test file itself).
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PROJECT_ROOT } from '../../lib/project-root.js'
import { freePort } from '../db-helper.js'
import { entryArgs } from '../entry.js'

export { freePort }

/** A server process listening on 127.0.0.1. */
export interface ServerProcess {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string
  pid: number
  /** SIGTERM, then SIGKILL if it has not exited after 10 s. */
  stop: () => Promise<void>
  /** The exit code (null: killed by a signal) once the process is gone. */
  exited: Promise<number | null>
}

/**
 * Starts `server.ts` (test/entry.ts: compiled under `npm test`, else through tsx) on a free port
 * (or `env.PORT`) against the management database `databaseUrl` and waits until `/health`
 * answers 200. `env` adds or overrides configuration variables.
 */
export async function startServerProcess (databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  // A given PORT is kept (a restart on the same address), else a free one is taken.
  const port = env.PORT !== undefined ? Number(env.PORT) : await freePort()
  const storage = await mkdtemp(path.join(tmpdir(), 'rocket-proc-files-'))
  const child = spawn(process.execPath, entryArgs('server.ts'), {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      BCRYPT_COST: process.env.BCRYPT_COST ?? '4',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'error',
      STORAGE_PATH: storage,
      ...env
    },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000) })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code) }))
  const url = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    await rm(storage, { recursive: true, force: true })
  }
  const started = Date.now()
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server process exited with ${child.exitCode}: ${stderr}`)
    const ok = await fetch(`${url}/health`).then((res) => res.status === 200, () => false)
    if (ok) break
    // Generous: on a shared CI machine tsx compiling server.ts can take most of a minute.
    if (Date.now() - started > 120_000) {
      await stop()
      throw new Error(`server process not healthy after 120 s: ${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url, pid: child.pid as number, stop, exited }
}

// Response bodies are read loosely, as a client would.
export type Json = Record<string, any>

/** One answer of a server process: status, JSON body ({} when empty) and headers. */
export interface Call { status: number, body: Json, headers: Headers }

/** A JSON request to a server process over real HTTP, with a bearer token when given. */
export async function call (server: Pick<ServerProcess, 'url'>, path: string, opts: { token?: string, method?: string, body?: unknown } = {}): Promise<Call> {
  const res = await fetch(`${server.url}${path}`, {
    method: opts.method ?? 'GET',
    headers: { ...(opts.token !== undefined ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {})
  })
  const text = await res.text()
  return { status: res.status, body: text === '' ? {} : JSON.parse(text) as Json, headers: res.headers }
}
