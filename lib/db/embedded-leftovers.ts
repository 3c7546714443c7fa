import { existsSync, readFileSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { connect as tcpConnect } from 'node:net'
import path from 'node:path'
import { BootError } from '../platform/boot-error.js'

/**
 * What a crashed predecessor leaves in the embedded cluster's data directory, and how to get past
 * it (docs/ARCHITECTURE.md, "Boot and shutdown"). A `postmaster.pid` naming a dead process is left
 * to PostgreSQL, which clears it unless the old shared memory is still attached (backends still
 * dying: the start fails and is retried). One naming a zombie or an unrelated process (a reused
 * pid), which PostgreSQL takes for a running server, is removed once no process is attached to
 * the old shared memory. A postmaster still alive whose Rocket owner died (only the Node process
 * was killed) is asked to shut down and waited for; one whose owner is alive means another
 * Rocket process uses the data directory — fatal, as is the port held by any other process.
 */

/** The Rocket process that started the cluster, kept beside it. */
const OWNER_FILE = 'rocket.pid'

export interface Leftovers {
  dataDir: string
  clusterDir: string
  port: number
  /** Postmasters this start has already asked to stop (signalled once only). */
  signalled: Set<number>
}

/**
 * Clears what can be cleared. Returns null when the start can proceed, else why it must wait;
 * throws a BootError when waiting cannot help.
 */
export async function clearLeftovers (state: Leftovers): Promise<string | null> {
  const pidFile = path.join(state.clusterDir, 'postmaster.pid')
  const lines = await readLines(pidFile)
  const postmaster = pidOf(lines)
  if (postmaster !== null && lines !== null && processExists(postmaster)) {
    const ours = isPostmasterOf(postmaster, state.clusterDir)
    if (isZombie(postmaster) || ours === false) {
      if (shmemAttached(lines) !== false) return `the shared memory of the previous PostgreSQL (pid ${postmaster}) is still in use`
      await rm(pidFile, { force: true })
    } else {
      const owner = pidOf(await readLines(path.join(state.dataDir, OWNER_FILE)))
      if (owner !== null && owner !== postmaster && processExists(owner) && !isZombie(owner)) {
        throw new BootError(`the embedded PostgreSQL data directory ${state.dataDir} is in use by another Rocket process (pid ${owner})`,
          'stop that process, or set DATA_DIR to another folder (or DATABASE_URL to share an external PostgreSQL)')
      }
      if (ours === true && !state.signalled.has(postmaster)) {
        state.signalled.add(postmaster)
        // Fast shutdown: the orphan aborts its sessions and releases the data directory and port.
        try { process.kill(postmaster, 'SIGINT') } catch {}
      }
      return `the previous PostgreSQL of this data directory (pid ${postmaster}) is still shutting down`
    }
  }
  // PostgreSQL checks the Unix socket's lock file the same way, and also takes a zombie for alive.
  const socketLock = path.join('/tmp', `.s.PGSQL.${state.port}.lock`)
  const socketOwner = pidOf(await readLines(socketLock))
  if (socketOwner !== null && (!processExists(socketOwner) || isZombie(socketOwner))) await rm(socketLock, { force: true }).catch(() => {})
  if (await portInUse(state.port)) {
    throw new BootError(`port ${state.port} of the embedded PostgreSQL is in use by another process`,
      'set EMBEDDED_PG_PORT to a free port (or stop the other process, or set DATABASE_URL to use an external PostgreSQL)')
  }
  return null
}

export async function writeOwner (dataDir: string): Promise<void> {
  await writeFile(path.join(dataDir, OWNER_FILE), `${process.pid}\n`)
}

export async function removeOwner (dataDir: string): Promise<void> {
  await rm(path.join(dataDir, OWNER_FILE), { force: true })
}

async function readLines (file: string): Promise<string[] | null> {
  if (!existsSync(file)) return null
  return (await readFile(file, 'utf8').catch(() => '')).split('\n')
}

function pidOf (lines: string[] | null): number | null {
  const pid = Number(lines?.[0])
  return Number.isInteger(pid) && pid > 0 ? pid : null
}

function processExists (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A killed process stays a zombie until its new parent reaps it (Linux; elsewhere: false). */
function isZombie (pid: number): boolean {
  const stat = readText(`/proc/${pid}/stat`)
  // "<pid> (<comm>) <state> ...": comm may hold spaces and parentheses, so split at the last ')'.
  return stat !== null && stat.charAt(stat.lastIndexOf(')') + 2) === 'Z'
}

/** Whether the process is a postgres serving this cluster; null where /proc is not readable. */
function isPostmasterOf (pid: number, clusterDir: string): boolean | null {
  const cmdline = readText(`/proc/${pid}/cmdline`)
  if (cmdline === null) return null
  return cmdline.includes('postgres') && cmdline.includes(clusterDir)
}

/**
 * Whether processes are still attached to the shared memory segment `postmaster.pid` records
 * (line 7: key and id) — PostgreSQL's own test before reusing a data directory. Null: unknown.
 */
function shmemAttached (lines: string[]): boolean | null {
  const id = (lines[6] ?? '').trim().split(/\s+/)[1]
  if (id === undefined) return false
  const table = readText('/proc/sysvipc/shm')
  if (table === null) return null
  for (const row of table.split('\n').slice(1)) {
    const cols = row.trim().split(/\s+/)
    if (cols[1] === id) return Number(cols[6]) > 0
  }
  return false
}

function readText (file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

/** True when something accepts TCP connections on the loopback port (PostgreSQL binds 127.0.0.1). */
export async function portInUse (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port })
    socket.setTimeout(1000)
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('timeout', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => { socket.destroy(); resolve(false) })
  })
}
