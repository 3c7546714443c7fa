import { existsSync, readFileSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { connect as tcpConnect } from 'node:net'
import path from 'node:path'
import { BootError } from '../platform/boot-error.js'

/**
 * What a crashed predecessor leaves in the embedded cluster's data directory, and how to get past
 * it (docs/ARCHITECTURE.md, "Boot and shutdown"): a `postmaster.pid` naming a dead or zombie
 * process is removed; a postmaster still alive whose Rocket owner died (only the Node process
 * was killed) is asked to shut down and waited for; one whose owner is alive means another Rocket
 * process uses the data directory — a fatal error, as is the port held by any other process.
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
  const postmaster = await readPid(pidFile)
  if (postmaster !== null) {
    if (!isAlive(postmaster)) {
      await rm(pidFile, { force: true })
    } else {
      const owner = await readPid(path.join(state.dataDir, OWNER_FILE))
      if (owner !== null && isAlive(owner)) {
        throw new BootError(`the embedded PostgreSQL data directory ${state.dataDir} is in use by another Rocket process (pid ${owner})`,
          'stop that process, or set DATA_DIR to another folder (or DATABASE_URL to share an external PostgreSQL)')
      }
      if (!state.signalled.has(postmaster) && isPostmasterOf(postmaster, state.clusterDir)) {
        state.signalled.add(postmaster)
        // Fast shutdown: the orphan aborts its sessions and releases the data directory and port.
        try { process.kill(postmaster, 'SIGINT') } catch {}
      }
      return `the previous PostgreSQL of this data directory (pid ${postmaster}) is still shutting down`
    }
  }
  // The Unix socket's lock file is checked the same way by PostgreSQL, which sees a zombie as alive.
  const socketLock = path.join('/tmp', `.s.PGSQL.${state.port}.lock`)
  const socketOwner = await readPid(socketLock)
  if (socketOwner !== null && !isAlive(socketOwner)) await rm(socketLock, { force: true }).catch(() => {})
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

async function readPid (file: string): Promise<number | null> {
  if (!existsSync(file)) return null
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).split('\n')[0])
  return Number.isInteger(pid) && pid > 0 ? pid : null
}

/** Alive and not a zombie: a killed postmaster stays a zombie until its new parent reaps it. */
function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  return procStat(pid)?.state !== 'Z'
}

/** Linux only: elsewhere a live postmaster is waited for, never signalled. */
function isPostmasterOf (pid: number, clusterDir: string): boolean {
  const cmdline = readFileSyncSafe(`/proc/${pid}/cmdline`)
  return cmdline !== null && cmdline.includes('postgres') && cmdline.includes(clusterDir)
}

function procStat (pid: number): { state: string } | null {
  const stat = readFileSyncSafe(`/proc/${pid}/stat`)
  // "<pid> (<comm>) <state> ..."; comm may hold spaces and parentheses, so split at the last ')'.
  if (stat === null) return null
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
  return { state }
}

function readFileSyncSafe (file: string): string | null {
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
