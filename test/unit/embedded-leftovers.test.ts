import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { clearLeftovers, type Leftovers } from '../../lib/db/embedded-leftovers.js'
import { BootError } from '../../lib/platform/boot-error.js'

// The decisions taken on a crashed predecessor's files, without starting PostgreSQL
// (the real crash is covered by test/process/crash-restart.test.ts).

async function dataDir (t: { teardown: (fn: () => Promise<void>) => void }): Promise<Leftovers> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rocket-leftovers-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  await mkdir(path.join(dir, 'pg'))
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port
      srv.close(() => { resolve(p) })
    })
  })
  return { dataDir: dir, clusterDir: path.join(dir, 'pg'), port, signalled: new Set() }
}

function pidFile (pid: number, clusterDir: string): string {
  // The layout PostgreSQL writes: pid, data dir, start time, port, socket dir, listen address, shmem key + id, status.
  return `${pid}\n${clusterDir}\n1796603997\n5432\n/tmp\n127.0.0.1\n  9999999  2147000000\nready   \n`
}

t.test('a postmaster.pid of a dead process is left for PostgreSQL to clear', async (t) => {
  const state = await dataDir(t)
  const dead = spawn(process.execPath, ['-e', '0'])
  await new Promise((resolve) => dead.once('exit', resolve))
  await writeFile(path.join(state.clusterDir, 'postmaster.pid'), pidFile(dead.pid ?? 0, state.clusterDir))
  t.equal(await clearLeftovers(state), null, 'the start may proceed')
  t.ok(existsSync(path.join(state.clusterDir, 'postmaster.pid')), 'file kept: PostgreSQL checks its shared memory itself')
})

t.test('a postmaster.pid naming an unrelated live process (reused pid) is removed', async (t) => {
  const state = await dataDir(t)
  await writeFile(path.join(state.clusterDir, 'postmaster.pid'), pidFile(process.pid, state.clusterDir))
  t.equal(await clearLeftovers(state), null)
  t.notOk(existsSync(path.join(state.clusterDir, 'postmaster.pid')), 'removed: no process holds its shared memory')
  t.same([...state.signalled], [], 'nothing signalled')
})

t.test('a live postmaster of another live Rocket process is fatal and names DATA_DIR', async (t) => {
  const state = await dataDir(t)
  // A stand-in postmaster whose command line names the cluster directory.
  const fake = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', 'postgres', '-D', state.clusterDir])
  t.teardown(() => { fake.kill('SIGKILL') })
  await writeFile(path.join(state.clusterDir, 'postmaster.pid'), pidFile(fake.pid ?? 0, state.clusterDir))
  await writeFile(path.join(state.dataDir, 'rocket.pid'), `${process.pid}\n`)
  const err = await clearLeftovers(state).then(() => null, (e: unknown) => e)
  t.ok(err instanceof BootError, 'a BootError')
  t.match(err, { message: /in use by another Rocket process/, fix: /DATA_DIR/ })
  t.equal(fake.exitCode, null, 'the other server is left alone')
})

t.test('an orphaned postmaster (its Rocket owner is gone) is asked to stop once, then waited for', async (t) => {
  const state = await dataDir(t)
  const fake = spawn(process.execPath, ['-e', 'process.on("SIGINT", () => process.exit(0)); setTimeout(() => {}, 60000)', 'postgres', '-D', state.clusterDir])
  t.teardown(() => { fake.kill('SIGKILL') })
  await new Promise((resolve) => setTimeout(resolve, 300))
  const exited = new Promise((resolve) => fake.once('exit', resolve))
  await writeFile(path.join(state.clusterDir, 'postmaster.pid'), pidFile(fake.pid ?? 0, state.clusterDir))
  await writeFile(path.join(state.dataDir, 'rocket.pid'), '999999999\n')
  t.match(await clearLeftovers(state), /still shutting down/)
  t.same([...state.signalled], [fake.pid])
  await exited
  t.ok(fake.exitCode === 0 || fake.signalCode === 'SIGINT', 'it received SIGINT (fast shutdown)')
})

t.test('the port answering with no postmaster of ours is fatal and names EMBEDDED_PG_PORT', async (t) => {
  const state = await dataDir(t)
  const other = createServer((s) => { s.destroy() })
  await new Promise<void>((resolve) => { other.listen(state.port, '127.0.0.1', resolve) })
  t.teardown(() => { other.close() })
  const err = await clearLeftovers(state).then(() => null, (e: unknown) => e)
  t.ok(err instanceof BootError, 'a BootError')
  t.match(err, { message: new RegExp(`port ${state.port} .*in use`), fix: /EMBEDDED_PG_PORT/ })
})
