import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { cleanup, platformLogin, startServer, signalGroup, waitReady } from './server-process.js'

// A supervisor restarting a crashed server at once must get a serving server on the same
// embedded data directory (docs/ARCHITECTURE.md, "Boot and shutdown").

t.test('SIGKILL of the process group, then an immediate restart on the same data dir serves', async (t) => {
  const first = await startServer()
  t.teardown(async () => { await cleanup(first) })
  await waitReady(first)
  t.equal((await platformLogin(first.base)).status, 200, 'first instance serves')

  signalGroup(first, 'SIGKILL')
  t.equal(await first.exited, 'SIGKILL')
  const second = await startServer({ dataDir: first.dataDir, port: first.port, pgPort: first.pgPort })
  t.teardown(async () => { await cleanup(second) })
  await waitReady(second)
  const login = await platformLogin(second.base)
  t.equal(login.status, 200, 'restarted instance serves the same management database')
  const health = await (await fetch(`${second.base}/health`)).json() as { database?: string }
  t.equal(health.database, 'ok')
  t.notMatch(second.stderr(), /TypeError/, 'no TypeError on the way')

  signalGroup(second, 'SIGTERM')
  t.equal(await second.exited, 0, 'then shuts down cleanly')
})

t.test('SIGKILL of the Node process alone: the orphaned PostgreSQL is stopped and replaced', async (t) => {
  const first = await startServer()
  t.teardown(async () => { await cleanup(first) })
  await waitReady(first)
  const orphan = Number((await readFile(path.join(first.dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0])

  first.child.kill('SIGKILL')
  await first.exited
  t.ok(alive(orphan), 'the postmaster outlived its Node process')
  const second = await startServer({ dataDir: first.dataDir, port: first.port, pgPort: first.pgPort })
  t.teardown(async () => { await cleanup(second) })
  await waitReady(second)
  t.equal((await platformLogin(second.base)).status, 200, 'restarted instance serves')
  t.notOk(alive(orphan), 'the orphan is gone')
  const current = Number((await readFile(path.join(first.dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0])
  t.not(current, orphan, 'a new postmaster runs the cluster')
})

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    // A zombie (dead, not reaped yet) is not alive.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}
