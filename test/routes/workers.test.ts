// Issue 14 (points 2 and 5): WORKERS=2 serves one port from two node:cluster workers
// (docs/ARCHITECTURE.md, "Across processes"), a killed worker is replaced, SIGTERM drains all.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import t from 'tap'
import { withDatabase } from '../../lib/db/connection.js'
import { dropDatabases, stopTestServer, testServerUrl } from '../db-helper.js'
import { startServerProcess } from './server-process.js'

t.teardown(stopTestServer)
t.setTimeout(600_000)

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** A GET on a fresh connection (no keep-alive), so the cluster hands each to a worker anew. */
async function workerOf (url: string): Promise<string | null> {
  return await new Promise((resolve, reject) => {
    const req = request(`${url}/health`, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume()
      res.once('end', () => { resolve(res.statusCode === 200 ? String(res.headers['x-rocket-worker'] ?? '') : null) })
    })
    req.once('error', reject)
    req.end()
  })
}

function childPids (pid: number): number[] {
  let out: string
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString()
  } catch {
    return [] // ps exits 1 when no process matches
  }
  return out.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0)
}

t.test('WORKERS=2: two workers answer on one port; a killed worker is replaced; SIGTERM drains both, exit 0', async (t) => {
  const server = await testServerUrl()
  const mgmtName = `rocket_mgmt_${randomBytes(4).toString('hex')}`
  t.teardown(async () => { await dropDatabases(server, [mgmtName]) })
  const proc = await startServerProcess(withDatabase(server, mgmtName), { WORKERS: '2' })
  t.teardown(proc.stop)
  const seen = async (want: number, deadlineMs: number): Promise<Set<string>> => {
    const ids = new Set<string>()
    const started = Date.now()
    while (ids.size < want && Date.now() - started < deadlineMs) {
      const id = await workerOf(proc.url).catch(() => null)
      if (id !== null && id !== '') ids.add(id)
    }
    return ids
  }
  const first = await seen(2, 30_000)
  t.equal(first.size, 2, `two workers answered (${[...first].join(', ')})`)
  const workers = childPids(proc.pid)
  t.equal(workers.length, 2, 'the primary has two worker processes')
  process.kill(workers[0] as number, 'SIGKILL')
  const started = Date.now()
  let replaced = false
  while (!replaced && Date.now() - started < 60_000) {
    const now = childPids(proc.pid)
    replaced = now.length === 2 && !now.includes(workers[0] as number)
    if (!replaced) await sleep(200)
  }
  t.ok(replaced, 'the killed worker was replaced')
  const after = await seen(2, 60_000)
  t.equal(after.size, 2, 'two workers answer again')
  t.ok([...after].some((id) => !first.has(id)), `one of them new (${[...after].join(', ')})`)
  const platform = await fetch(`${proc.url}/api/_platform/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'platform@localhost', password: 'changeme' }) })
  t.equal(platform.status, 200, 'the platform is served')
  process.kill(proc.pid, 'SIGTERM')
  t.equal(await proc.exited, 0, 'the primary exits 0 once both workers drained')
  t.same(childPids(proc.pid), [], 'no worker left')
})
