import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import path from 'node:path'
import t from 'tap'
import { portInUse } from '../../lib/db/embedded-leftovers.js'
import { cleanup, freePort, startServer, waitReady, type ServerProcess } from './server-process.js'

// A failed boot step stops startup with ONE line (stderr) naming the cause and the variable
// to change, exit code 1 (docs/ARCHITECTURE.md, "Boot and shutdown").

async function occupy (): Promise<{ port: number, server: Server }> {
  const server = createServer((socket) => { socket.destroy() })
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => { resolve((server.address() as { port: number }).port) })
  })
  return { port, server }
}

function errorLines (server: ServerProcess): string[] {
  return server.stderr().split('\n').map((l) => l.trim()).filter((l) => l !== '')
}

t.test('embedded PostgreSQL port taken by another process: one line naming EMBEDDED_PG_PORT', async (t) => {
  const other = await occupy()
  t.teardown(() => { other.server.close() })
  const rocket = await startServer({ pgPort: other.port })
  t.teardown(async () => { await cleanup(rocket) })
  t.equal(await rocket.exited, 1, 'exit code 1')
  const lines = errorLines(rocket)
  t.equal(lines.length, 1, `one line: ${rocket.stderr()}`)
  t.match(lines[0], new RegExp(`port ${other.port} .*in use.*EMBEDDED_PG_PORT`))
  t.notMatch(rocket.stderr(), /TypeError/)
})

t.test('a second instance on a data directory or embedded port in use: one line naming DATA_DIR / EMBEDDED_PG_PORT', async (t) => {
  const first = await startServer()
  t.teardown(async () => { await cleanup(first) })
  await waitReady(first)
  const second = await startServer({ dataDir: first.dataDir, pgPort: first.pgPort })
  t.teardown(async () => { await cleanup(second) })
  t.equal(await second.exited, 1, 'exit code 1')
  const lines = errorLines(second)
  t.equal(lines.length, 1, `one line: ${second.stderr()}`)
  t.match(lines[0], /in use by another Rocket process \(pid \d+\).*DATA_DIR/)

  // The case: another instance (own data directory) on the default embedded port.
  const third = await startServer({ pgPort: first.pgPort })
  t.teardown(async () => { await cleanup(third) })
  t.equal(await third.exited, 1, 'exit code 1')
  t.same(errorLines(third).length, 1, `one line: ${third.stderr()}`)
  t.match(errorLines(third)[0], /in use by another process.*EMBEDDED_PG_PORT/)
  t.equal((await fetch(`${first.base}/health`)).status, 200, 'the first instance is untouched')
})

t.test('HTTP port taken: one line naming PORT, and the embedded PostgreSQL it started is stopped', async (t) => {
  const other = await occupy()
  t.teardown(() => { other.server.close() })
  const pgPort = await freePort()
  const rocket = await startServer({ port: other.port, pgPort })
  t.teardown(async () => { await cleanup(rocket) })
  t.equal(await rocket.exited, 1, 'exit code 1')
  const lines = errorLines(rocket)
  t.equal(lines.length, 1, `one line: ${rocket.stderr()}`)
  t.match(lines[0], /HTTP port is already in use.*set PORT/)
  t.notOk(await portInUse(pgPort), 'embedded PostgreSQL stopped')
  const pidFile = await readFile(path.join(rocket.dataDir, 'pg', 'postmaster.pid'), 'utf8').catch(() => null)
  t.equal(pidFile, null, 'its postmaster.pid is gone (clean shutdown)')
})
