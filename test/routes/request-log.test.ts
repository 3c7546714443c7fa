// Issue 10 point 3: request logging has its own setting. LOG_REQUESTS=true writes ONE line per
// answered request; off (the default) writes none for a successful request at LOG_LEVEL=info.
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import t from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { withDatabase } from '../../lib/db/connection.js'
import { stopTestServer, testServerUrl } from '../db-helper.js'

t.teardown(stopTestServer)

async function logged (env: Record<string, string>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const url = withDatabase(await testServerUrl(), `rocket_mgmt_${randomBytes(4).toString('hex')}`)
  const app = await buildApp({ config: loadConfig(env, { databaseUrl: url }), logger: { level: 'info', stream } })
  try {
    await app.ready()
    lines.length = 0
    const ok = await app.inject({ url: '/health' })
    if (ok.statusCode !== 200) throw new Error(ok.body)
    const missing = await app.inject({ url: '/api/_platform/apps?access_token=secret-value' })
    if (missing.statusCode !== 401) throw new Error(missing.body)
    return lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  } finally {
    await app.close()
  }
}

t.test('LOG_REQUESTS=true: one line per request, token redacted', async (t) => {
  const lines = await logged({ LOG_REQUESTS: 'true' })
  const requests = lines.filter((l) => l.msg === 'request')
  t.equal(requests.length, 2, 'one line per request')
  t.match(requests[0], { level: 30, method: 'GET', url: '/health', status: 200, reqId: String })
  t.match(requests[1], { url: '/api/_platform/apps?access_token=[REDACTED]', status: 401 })
  t.notOk(lines.some((l) => l.msg === 'incoming request' || l.msg === 'request completed'), "no Fastify's two lines")
  t.notOk(JSON.stringify(lines).includes('secret-value'), 'the token is not logged')
})

t.test('default: no per-request line', async (t) => {
  const lines = await logged({})
  t.same(lines.filter((l) => l.msg === 'request' || l.msg === 'incoming request' || l.msg === 'request completed'), [])
})
