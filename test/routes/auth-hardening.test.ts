import t from 'tap'
import bcrypt from 'bcrypt'
import { DUMMY_HASH, hashPassword, verifyPassword } from '../../lib/auth/passwords.js'
import { build, createTestApp, expectError } from '../helper.js'

// Every test speaks from its own client address (X-Forwarded-For, believed with TRUST_PROXY=true)
// so limits do not leak between tests.
const from = (ip: string): { 'x-forwarded-for': string } => ({ 'x-forwarded-for': ip })

t.test('app login is limited per account: 429 with Retry-After, also for the right password', async (t) => {
  const app = await build(t, { trustProxy: true })
  const a = await createTestApp(app)
  const { loginMaxPerEmail } = app.platform.config
  for (let i = 0; i < loginMaxPerEmail; i++) {
    const res = await a.as(null, { method: 'POST', url: '/auth/login', headers: from(`198.51.100.${i + 1}`), payload: { email: 'admin@localhost', password: 'wrong-password' } })
    t.equal(res.statusCode, 401, `failure ${i + 1} answered normally`)
  }
  const limited = await a.as(null, { method: 'POST', url: '/auth/login', headers: from('198.51.100.200'), payload: { email: 'ADMIN@localhost', password: 'changeme' } })
  expectError(t, limited, 429, 'RATE_LIMITED')
  const retry = Number(limited.headers['retry-after'])
  t.ok(retry > 0 && retry <= app.platform.config.loginWindow, `Retry-After: ${String(limited.headers['retry-after'])}`)
  t.equal(limited.headers['content-type'], 'application/json; charset=utf-8')
  // Another app's account of the same email is not affected.
  const b = await createTestApp(app)
  t.equal((await b.as(null, { method: 'POST', url: '/auth/login', headers: from('198.51.100.201'), payload: { email: 'admin@localhost', password: 'changeme' } })).statusCode, 200)
})

t.test('login is limited per IP across accounts; success gives the attempt back', async (t) => {
  const app = await build(t, { trustProxy: true })
  const a = await createTestApp(app)
  const { loginMaxPerIp } = app.platform.config
  const ip = from('203.0.113.7')
  for (let i = 0; i < loginMaxPerIp - 1; i++) {
    t.equal((await a.as(null, { method: 'POST', url: '/auth/login', headers: ip, payload: { email: `u${i}@example.test`, password: 'whatever-pass' } })).statusCode, 401)
  }
  t.equal((await a.as(null, { method: 'POST', url: '/auth/login', headers: ip, payload: { email: 'admin@localhost', password: 'changeme' } })).statusCode, 200, 'a success does not use up the IP budget')
  t.equal((await a.as(null, { method: 'POST', url: '/auth/login', headers: ip, payload: { email: 'last@example.test', password: 'whatever-pass' } })).statusCode, 401)
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/login', headers: ip, payload: { email: 'admin@localhost', password: 'changeme' } }), 429, 'RATE_LIMITED')
  t.equal((await a.as(null, { method: 'POST', url: '/auth/login', headers: from('203.0.113.8'), payload: { email: 'admin@localhost', password: 'changeme' } })).statusCode, 200, 'other clients are unaffected')
})

t.test('platform login is limited too', async (t) => {
  const app = await build(t, { trustProxy: true })
  const { loginMaxPerEmail } = app.platform.config
  const attempt = async (): Promise<Awaited<ReturnType<typeof app.inject>>> =>
    await app.inject({ method: 'POST', url: '/api/_platform/auth/login', headers: from('192.0.2.10'), payload: { email: 'intruder@localhost', password: 'guess-guess' } })
  for (let i = 0; i < loginMaxPerEmail; i++) t.equal((await attempt()).statusCode, 401)
  const limited = await attempt()
  expectError(t, limited, 429, 'RATE_LIMITED')
  t.ok(Number(limited.headers['retry-after']) > 0)
})

t.test('unknown email and wrong password: same answer, same bcrypt work', async (t) => {
  const app = await build(t, { trustProxy: true })
  const a = await createTestApp(app)
  const wrong = await a.as(null, { method: 'POST', url: '/auth/login', headers: from('192.0.2.20'), payload: { email: 'admin@localhost', password: 'wrong-password' } })
  const unknown = await a.as(null, { method: 'POST', url: '/auth/login', headers: from('192.0.2.21'), payload: { email: 'ghost@example.test', password: 'wrong-password' } })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.body, unknown.body)
  t.same(Object.keys(wrong.headers).sort(), Object.keys(unknown.headers).sort())
  // Same work for both: an unknown user is compared against a real hash of the same cost
  // (asserted structurally; wall-clock timing is too noisy on a shared CI machine).
  const hash = await hashPassword('correct horse')
  t.equal(bcrypt.getRounds(DUMMY_HASH), bcrypt.getRounds(hash), 'the stand-in hash has the real cost')
  t.equal(await verifyPassword('correct horse', null), false, 'never true without a user')
})

t.test('CORS: preflight and simple requests carry the configured origin', async (t) => {
  const app = await build(t, { trustProxy: true })
  const pre = await app.inject({ method: 'OPTIONS', url: '/api/some_app/auth/login', headers: { origin: 'https://ui.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } })
  t.equal(pre.statusCode, 204)
  t.equal(pre.headers['access-control-allow-origin'], '*')
  t.match(String(pre.headers['access-control-allow-methods']), /PUT/)
  t.match(String(pre.headers['access-control-allow-headers']), /Authorization/)
  const simple = await app.inject({ url: '/health', headers: { origin: 'https://ui.example' } })
  t.equal(simple.headers['access-control-allow-origin'], '*')
  t.match(String(simple.headers['access-control-expose-headers']), /Retry-After/)
})

t.test('no JWT secret in any response', async (t) => {
  const app = await build(t, { trustProxy: true })
  const a = await createTestApp(app)
  const [row] = await app.platform.sql<Array<{ jwt_secret: string }>>`SELECT jwt_secret FROM _apps WHERE name = ${a.name}`
  const secrets = [row?.jwt_secret as string, app.platform.jwtSecret]
  const auth = { authorization: `Bearer ${a.platform}` }
  const bodies = [
    (await app.inject({ url: '/api/_platform/apps', headers: auth })).body,
    (await app.inject({ url: `/api/_platform/apps/${a.name}`, headers: auth })).body,
    (await app.inject({ method: 'POST', url: '/api/_platform/auth/login', payload: { email: 'platform@localhost', password: 'changeme' } })).body,
    (await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'admin@localhost', password: 'changeme' } })).body,
    (await a.as(a.admin, { url: '/_admin/users' })).body,
    (await a.as('forged.token.value', { url: '/_admin/users' })).body
  ]
  for (const body of bodies) {
    t.notOk(/jwt_secret|password_hash/.test(body), 'no secret-bearing field')
    for (const s of secrets) t.notOk(body.includes(s), 'no secret value')
  }
})
