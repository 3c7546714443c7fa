import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import t from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { withDatabase } from '../../lib/db/connection.js'
import { redactAccessToken, requestLogSerializer } from '../../lib/realtime/redact.js'
import { stopTestServer, testServerUrl } from '../db-helper.js'
import { createTestApp } from '../helper.js'
import { openSse } from '../sse-client.js'

t.teardown(stopTestServer)

t.test('redactAccessToken', async (t) => {
  t.equal(redactAccessToken('/api/x/_realtime?entities=a&access_token=abc.def.ghi&x=1'), '/api/x/_realtime?entities=a&access_token=[REDACTED]&x=1')
  t.equal(redactAccessToken('/api/x/_realtime?access_token=abc'), '/api/x/_realtime?access_token=[REDACTED]')
  t.equal(redactAccessToken('/api/x/task?title=access_token'), '/api/x/task?title=access_token')
})

t.test('the realtime access_token never reaches the request log', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const url = withDatabase(await testServerUrl(), `rocket_mgmt_${randomBytes(4).toString('hex')}`)
  const app = await buildApp({ config: loadConfig({}, { databaseUrl: url, logRequests: true }), logger: { level: 'info', stream, serializers: { req: requestLogSerializer } } })
  t.teardown(async () => { await app.close() })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0
  const a = await createTestApp(app)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', fields: [{ name: 'id', type: 'uuid' }] } })).statusCode, 201)
  const s = await openSse(`http://127.0.0.1:${port}/api/${a.name}/_realtime?entities=note&access_token=${a.admin}`)
  t.equal(s.status, 200)
  s.close()
  await new Promise((resolve) => setTimeout(resolve, 200))
  const log = lines.join('')
  t.match(log, /_realtime\?entities=note&access_token=\[REDACTED\]/, 'the request is logged, redacted')
  t.notOk(log.includes(a.admin), 'the token is not in the log')
  const elsewhere = await app.inject({ url: `/api/${a.name}/note?access_token=${a.admin}` })
  t.equal(elsewhere.statusCode, 401, 'access_token is accepted by the realtime route only')
})
