import { Agent, request, type IncomingMessage } from 'node:http'
import { connect } from 'node:net'
import t from 'tap'
import { cleanup, platformLogin, startServer, waitReady, type ServerProcess } from './server-process.js'

// SIGTERM drains (docs/ARCHITECTURE.md, "Boot and shutdown"): the listener closes at once, the
// requests already received are answered with `Connection: close`, idle keep-alive connections
// are closed, exit 0 within SHUTDOWN_TIMEOUT. The signal goes to the Node process, as a container
// runtime or `systemctl` with KillMode=mixed sends it.

async function json (res: Response): Promise<{ data: Record<string, unknown> }> {
  return await res.json() as { data: Record<string, unknown> }
}

/** An app with a `note` entity; returns its name and an admin token. */
async function noteApp (server: ServerProcess): Promise<{ app: string, token: string }> {
  const platform = (await json(await platformLogin(server.base))).data.access_token as string
  const app = `drain_${Date.now().toString(36)}`
  const created = await fetch(`${server.base}/api/_platform/apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${platform}` },
    body: JSON.stringify({ name: app, display_name: app })
  })
  if (created.status !== 201) throw new Error(`app: ${created.status} ${await created.text()}`)
  const entity = await fetch(`${server.base}/api/${app}/_admin/entities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${platform}` },
    body: JSON.stringify({ name: 'note', table: 'notes', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }] })
  })
  if (entity.status !== 201) throw new Error(`entity: ${entity.status} ${await entity.text()}`)
  return { app, token: platform }
}

interface Answer { status: number, connection: string | undefined, body: string }

/** A POST whose headers and first half of the body are sent now, the rest by `finish()`. */
function slowWrite (server: ServerProcess, agent: Agent, path: string, token: string, payload: unknown): { finish: () => void, answer: Promise<Answer> } {
  const body = Buffer.from(JSON.stringify(payload))
  const half = Math.floor(body.length / 2)
  const req = request({
    host: '127.0.0.1',
    port: server.port,
    method: 'POST',
    path,
    agent,
    headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` }
  })
  const answer = new Promise<Answer>((resolve, reject) => {
    req.once('error', reject)
    req.once('response', (res: IncomingMessage) => {
      let text = ''
      res.on('data', (c: Buffer) => { text += c.toString() })
      res.once('end', () => { resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }) })
    })
  })
  req.write(body.subarray(0, half))
  return { finish: () => { req.end(body.subarray(half)) }, answer }
}

async function refused (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(false) })
    socket.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code === 'ECONNREFUSED') })
  })
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

t.test('SIGTERM with 5 writes in flight: all answered 2xx with Connection: close, idle keep-alive closed, exit 0', async (t) => {
  const server = await startServer()
  t.teardown(async () => { await cleanup(server) })
  await waitReady(server)
  const { app, token } = await noteApp(server)
  const agent = new Agent({ keepAlive: true, maxSockets: 10 })
  t.teardown(() => { agent.destroy() })

  // An idle keep-alive connection: one finished request, socket kept open by its own agent.
  const idleAgent = new Agent({ keepAlive: true })
  t.teardown(() => { idleAgent.destroy() })
  const idle = await new Promise<{ closed: Promise<void> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/health', agent: idleAgent }, (res) => {
      res.resume()
      res.once('end', () => { resolve({ closed: new Promise((resolve) => { req.socket?.once('close', () => { resolve() }) }) }) })
    })
    req.once('error', reject)
    req.end()
  })

  const writes = Array.from({ length: 5 }, (_, i) => slowWrite(server, agent, `/api/${app}/note`, token, { title: `note ${i} ${'x'.repeat(200)}` }))
  await sleep(500)
  const signalledAt = Date.now()
  server.child.kill('SIGTERM')
  await sleep(300)
  t.ok(await refused(server.port), 'the listening socket is closed at once')
  await idle.closed
  t.pass('the idle keep-alive connection is closed')
  for (const w of writes) w.finish()
  const answers = await Promise.all(writes.map(async (w) => await w.answer))
  for (const [i, a] of answers.entries()) {
    t.equal(a.status, 201, `write ${i} answered 201 (${a.body.slice(0, 200)})`)
    t.equal(a.connection, 'close', `write ${i} says Connection: close`)
    t.match(JSON.parse(a.body), { data: { title: new RegExp(`^note ${i} `) } })
  }
  t.equal(await server.exited, 0, 'exit code 0')
  t.ok(Date.now() - signalledAt < 10_000, 'within SHUTDOWN_TIMEOUT (10 s)')
  t.match(server.stdout(), /SIGTERM received, draining/)
  t.match(server.stdout(), /shutdown complete/)
})

t.test('a request that never completes: exit 1 once SHUTDOWN_TIMEOUT has passed', async (t) => {
  const server = await startServer({ env: { SHUTDOWN_TIMEOUT: '1' } })
  t.teardown(async () => { await cleanup(server) })
  await waitReady(server)
  const agent = new Agent({ keepAlive: true })
  t.teardown(() => { agent.destroy() })
  const stuck = slowWrite(server, agent, '/api/_platform/auth/login', 'none', { email: 'platform@localhost', password: 'changeme' })
  stuck.answer.catch(() => {})
  await sleep(300)
  const signalledAt = Date.now()
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 1, 'exit code 1')
  const took = Date.now() - signalledAt
  t.ok(took >= 900 && took < 6000, `exited after the 1 s timeout (${took} ms)`)
})
