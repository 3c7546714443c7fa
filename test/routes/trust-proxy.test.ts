// Issue 16 finding 4: X-Forwarded-For does not bypass the per-IP login limit unless
// TRUST_PROXY says the peer is a proxy.
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { withDatabase } from '../../lib/db/connection.js'
import { testServerUrl } from '../db-helper.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

const PER_IP = 5

/** A server with its own management database and this TRUST_PROXY (the per-IP limit lowered to 5). */
async function serverWith (t: Test, trustProxy: string): Promise<FastifyInstance> {
  const config = loadConfig({ LOG_LEVEL: 'silent', TRUST_PROXY: trustProxy, LOGIN_MAX_PER_IP: String(PER_IP) }, {
    databaseUrl: withDatabase(await testServerUrl(), `rocket_mgmt_${randomBytes(4).toString('hex')}`)
  })
  const app = await buildApp({ config })
  t.teardown(async () => { await app.close() })
  return app
}

/** A failed login (a fresh email each time, so only the per-IP limit can apply) with this X-Forwarded-For. */
async function fail (a: TestApp, xff: string): Promise<LightMyRequestResponse> {
  return await a.as(null, { method: 'POST', url: '/auth/login', headers: { 'x-forwarded-for': xff }, payload: { email: `${randomBytes(4).toString('hex')}@example.test`, password: 'wrong-password' } })
}

t.test('default (TRUST_PROXY off): a new X-Forwarded-For after a 429 is still 429', async (t) => {
  const app = await build(t, { loginMaxPerIp: PER_IP })
  t.equal(app.platform.config.trustProxy, false)
  const a = await createTestApp(app, 'xff')
  for (let i = 0; i < PER_IP; i++) t.equal((await fail(a, `198.51.100.${i}`)).statusCode, 401, `failure ${i + 1}`)
  const limited = await fail(a, '198.51.100.99')
  expectError(t, limited, 429, 'RATE_LIMITED')
  // The bypass: another header value, even with the right password.
  const bypass = await a.as(null, { method: 'POST', url: '/auth/login', headers: { 'x-forwarded-for': '203.0.113.1' }, payload: { email: 'admin@localhost', password: 'changeme' } })
  expectError(t, bypass, 429, 'RATE_LIMITED')
  const platform = await app.inject({ method: 'POST', url: '/api/_platform/auth/login', headers: { 'x-forwarded-for': '203.0.113.2' }, payload: { email: 'nobody@example.test', password: 'wrong-password' } })
  expectError(t, platform, 429, 'RATE_LIMITED')
})

t.test('TRUST_PROXY=<proxy address>: the forwarded client IP is limited, other clients are not', async (t) => {
  // inject() connects from 127.0.0.1: that peer is the trusted proxy.
  const app = await serverWith(t, '127.0.0.1')
  const a = await createTestApp(app, 'xffon')
  for (let i = 0; i < PER_IP; i++) t.equal((await fail(a, '198.51.100.7')).statusCode, 401)
  expectError(t, await fail(a, '198.51.100.7'), 429, 'RATE_LIMITED')
  t.equal((await fail(a, '198.51.100.8')).statusCode, 401, 'another forwarded client has its own budget')
  const login = await a.as(null, { method: 'POST', url: '/auth/login', headers: { 'x-forwarded-for': '198.51.100.9' }, payload: { email: 'admin@localhost', password: 'changeme' } })
  t.equal(login.statusCode, 200)
})

t.test('TRUST_PROXY=1 (one hop): only the address the proxy appended counts', async (t) => {
  const app = await serverWith(t, '1')
  const a = await createTestApp(app, 'xffhop')
  // A client prepends whatever it likes; the proxy appends the address it saw.
  for (let i = 0; i < PER_IP; i++) t.equal((await fail(a, `10.9.9.${i}, 198.51.100.20`)).statusCode, 401)
  expectError(t, await fail(a, '10.9.9.99, 198.51.100.20'), 429, 'RATE_LIMITED')
  t.equal((await fail(a, '10.9.9.1, 198.51.100.21')).statusCode, 401)
})

t.test('a proxy not in the list is not believed', async (t) => {
  const app = await serverWith(t, '10.0.0.1, 192.168.0.0/16')
  const a = await createTestApp(app, 'xffoth')
  for (let i = 0; i < PER_IP; i++) t.equal((await fail(a, `198.51.100.${i}`)).statusCode, 401)
  expectError(t, await fail(a, '198.51.100.99'), 429, 'RATE_LIMITED')
})
