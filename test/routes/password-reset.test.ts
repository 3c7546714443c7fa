import t from 'tap'
import { startSmtpSink, tokenOf } from '../smtp-sink.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

type Row = Record<string, unknown>

const smtp = await startSmtpSink()
t.teardown(smtp.close)
const MAX_PER_EMAIL = 3
const options = { smtpUrl: smtp.url, mailMaxPerEmail: MAX_PER_EMAIL, mailMaxPerIp: 10_000, publicUrl: 'https://rocket.example.com' }

async function user (a: TestApp, email: string, password = 'password-123'): Promise<{ id: string, access: string, refresh: string }> {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email, password, roles: ['member'] } })
  if (created.statusCode !== 201) throw new Error(created.body)
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password } })
  return { id: created.json().data.id, access: login.json().data.access_token, refresh: login.json().data.refresh_token }
}

const forgot = async (a: TestApp, email: string): Promise<Awaited<ReturnType<TestApp['as']>>> =>
  await a.as(null, { method: 'POST', url: '/auth/forgot-password', payload: { email } })
const reset = async (a: TestApp, token: string, password: string): Promise<Awaited<ReturnType<TestApp['as']>>> =>
  await a.as(null, { method: 'POST', url: '/auth/reset-password', payload: { token, password } })

t.test('a reset mail over SMTP, a new password, every session ended, the token used up', async (t) => {
  const server = await build(t, options)
  const a = await createTestApp(server)
  const u = await user(a, 'ada@example.com')
  const res = await forgot(a, '  ADA@example.com ')
  t.equal(res.statusCode, 202)
  t.same(res.json(), { data: { accepted: true } })
  const mail = await smtp.next('ada@example.com')
  t.equal(mail.subject, 'Reset your password', 'the default template')
  t.match(mail.decoded, /https:\/\/rocket\.example\.com\/reset-password\?token=/, 'link on PUBLIC_URL (the default app_url)')
  t.match(mail.raw, /^From: .*no-reply@localhost/m)
  const token = tokenOf(mail)
  const stored = await server.platform.apps.get(a.name)
  if (stored === null || stored === undefined) throw new Error('app not open')
  const rows = await stored.sql<Row[]>`SELECT token_hash FROM _auth_tokens WHERE kind = 'reset'`
  t.equal(rows.length, 1)
  t.not(rows[0]?.token_hash, token, 'stored hashed')

  const weak = expectError(t, await reset(a, token, 'short'), 422, 'VALIDATION_FAILED')
  t.match(weak.details, [{ field: 'password', rule: 'min_length' }], 'a refused password does not use up the token')
  const done = await reset(a, token, 'new-password-456')
  t.equal(done.statusCode, 200, done.body)
  t.same(done.json(), { data: { password_reset: true } })

  expectError(t, await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'ada@example.com', password: 'password-123' } }), 401, 'UNAUTHORIZED')
  t.equal((await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'ada@example.com', password: 'new-password-456' } })).statusCode, 200, 'the new password works')
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/refresh', payload: { refresh_token: u.refresh } }), 401, 'UNAUTHORIZED')
  expectError(t, await a.as(u.access, { url: '/_ui/configs' }), 401, 'UNAUTHORIZED')
  const reused = expectError(t, await reset(a, token, 'third-password-789'), 404, 'NOT_FOUND')
  t.match(reused.details, [{ field: 'token', rule: 'used' }])
  const record = await a.as(a.admin, { url: `/_admin/users/${u.id}` })
  t.equal(record.json().data.email_verified, true, 'the reset proved the address')
})

t.test('unknown addresses: the same 202, the same body, similar timing, no mail', async (t) => {
  const server = await build(t, options)
  const a = await createTestApp(server)
  const known: string[] = []
  for (let i = 0; i < 7; i++) {
    known.push(`known${i}@example.com`)
    await user(a, `known${i}@example.com`)
  }
  const timings = { known: [] as number[], unknown: [] as number[] }
  const bodies = new Set<string>()
  for (let i = 0; i < 7; i++) {
    for (const [kind, email] of [['known', known[i] as string], ['unknown', `nobody${i}@example.com`]] as const) {
      const started = process.hrtime.bigint()
      const res = await forgot(a, email)
      timings[kind].push(Number(process.hrtime.bigint() - started) / 1e6)
      t.equal(res.statusCode, 202)
      bodies.add(`${res.statusCode} ${res.body} ${String(res.headers['content-type'])}`)
    }
  }
  t.equal(bodies.size, 1, 'identical answers')
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number
  const [k, u] = [median(timings.known), median(timings.unknown)]
  t.ok(Math.max(k, u) <= 3 * Math.min(k, u) + 5, `medians within a factor 3 (+5 ms): known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms`)
  for (const email of known) await smtp.next(email)
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.notOk(smtp.mails.some((m) => m.to.some((to) => to.startsWith('nobody'))), 'no mail to unknown addresses')
})

t.test('a newer request supersedes the older token; expired tokens are refused', async (t) => {
  const server = await build(t, options)
  const a = await createTestApp(server)
  await user(a, 'bea@example.com')
  t.equal((await forgot(a, 'bea@example.com')).statusCode, 202)
  const first = tokenOf(await smtp.next('bea@example.com'))
  t.equal((await forgot(a, 'bea@example.com')).statusCode, 202)
  const second = tokenOf(await smtp.next('bea@example.com'))
  t.match(expectError(t, await reset(a, first, 'password-new-1'), 404, 'NOT_FOUND').details, [{ rule: 'unknown' }])
  const stored = await server.platform.apps.get(a.name)
  if (stored === null || stored === undefined) throw new Error('app not open')
  await stored.sql`UPDATE _auth_tokens SET expires_at = now() - interval '1 second'`
  t.match(expectError(t, await reset(a, second, 'password-new-1'), 404, 'NOT_FOUND').details, [{ rule: 'expired' }])
  t.equal((await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'bea@example.com', password: 'password-123' } })).statusCode, 200, 'password unchanged')
})

t.test('bad bodies are 422; rate limits answer known and unknown addresses alike', async (t) => {
  const server = await build(t, options)
  const a = await createTestApp(server)
  await user(a, 'cy@example.com')
  for (const payload of [{}, { email: 1 }, { email: 'cy@example.com', extra: true }]) {
    expectError(t, await a.as(null, { method: 'POST', url: '/auth/forgot-password', payload }), 422, 'VALIDATION_FAILED')
  }
  for (const payload of [{}, { token: 'x' }, { password: 'password-123' }, { token: '', password: 'password-123' }, { token: 'x', password: 'password-123', user: 'me' }]) {
    expectError(t, await a.as(null, { method: 'POST', url: '/auth/reset-password', payload }), 422, 'VALIDATION_FAILED')
  }
  expectError(t, await reset(a, 'not-a-token', 'password-123'), 404, 'NOT_FOUND')
  expectError(t, await reset(a, 'x'.repeat(500), 'password-123'), 404, 'NOT_FOUND')
  for (const email of ['cy@example.com', 'ghost@example.com']) {
    for (let i = 0; i < MAX_PER_EMAIL; i++) t.equal((await forgot(a, email)).statusCode, 202)
    const limited = await forgot(a, email)
    expectError(t, limited, 429, 'RATE_LIMITED')
    t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After')
  }
})
