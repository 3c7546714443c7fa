import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import t from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { withDatabase } from '../../lib/db/connection.js'
import { dropDatabases, testServerUrl } from '../db-helper.js'
import { startSmtpSink, tokenOf } from '../smtp-sink.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

const smtp = await startSmtpSink()
t.teardown(smtp.close)
const options = { smtpUrl: smtp.url, mailMaxPerEmail: 50, mailMaxPerIp: 10_000 }

async function user (a: TestApp, email: string): Promise<{ id: string, access: string }> {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email, password: 'password-123', roles: ['member'] } })
  if (created.statusCode !== 201) throw new Error(created.body)
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password: 'password-123' } })
  return { id: created.json().data.id, access: login.json().data.access_token }
}

const verify = async (a: TestApp, token: string): Promise<Awaited<ReturnType<TestApp['as']>>> =>
  await a.as(null, { method: 'POST', url: '/auth/verify-email', payload: { token } })

t.test('request-verification mails a link; verify-email sets email_verified once', async (t) => {
  const server = await build(t, options)
  const a = await createTestApp(server)
  const u = await user(a, 'dee@example.com')
  t.equal((await a.as(a.admin, { url: `/_admin/users/${u.id}` })).json().data.email_verified, false, 'unverified at first')
  t.equal((await a.as(a.admin, { method: 'PUT', url: '/_admin/mail-settings', payload: { app_url: 'https://shop.example.com/app/' } })).statusCode, 200)
  const asked = await a.as(u.access, { method: 'POST', url: '/auth/request-verification' })
  t.equal(asked.statusCode, 202, asked.body)
  const mail = await smtp.next('dee@example.com')
  t.equal(mail.subject, 'Confirm your email address')
  t.match(mail.decoded, /https:\/\/shop\.example\.com\/app\/verify-email\?token=/, 'link on the app_url')
  const token = tokenOf(mail)
  const done = await verify(a, token)
  t.equal(done.statusCode, 200, done.body)
  t.same(done.json(), { data: { email: 'dee@example.com', email_verified: true } })
  t.equal((await a.as(a.admin, { url: `/_admin/users/${u.id}` })).json().data.email_verified, true)
  t.match(expectError(t, await verify(a, token), 404, 'NOT_FOUND').details, [{ field: 'token', rule: 'used' }])
  expectError(t, await a.as(u.access, { method: 'POST', url: '/auth/request-verification' }), 409, 'CONFLICT')

  // A new address is unverified again, and a token mailed to the old one no longer counts.
  const v = await user(a, 'eve@example.com')
  t.equal((await a.as(v.access, { method: 'POST', url: '/auth/request-verification' })).statusCode, 202)
  const stale = tokenOf(await smtp.next('eve@example.com'))
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/_admin/users/${u.id}`, payload: { email: 'dee2@example.com' } })).json().data.email_verified, false)
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/_admin/users/${v.id}`, payload: { email: 'eve2@example.com' } })).statusCode, 200)
  t.match(expectError(t, await verify(a, stale), 404, 'NOT_FOUND').details, [{ rule: 'unknown' }])
})

t.test('who may ask: users only; bad bodies 422; unknown tokens 404', async (t) => {
  const server = await build(t, options)
  const a = await createTestApp(server)
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/request-verification' }), 401, 'UNAUTHORIZED')
  expectError(t, await a.as(a.platform, { method: 'POST', url: '/auth/request-verification' }), 403, 'FORBIDDEN')
  const key = (await a.as(a.admin, { method: 'POST', url: '/_admin/api-keys', payload: { name: 'k', roles: ['admin'] } })).json().data.key as string
  expectError(t, await server.inject({ method: 'POST', url: `/api/${a.name}/auth/request-verification`, headers: { 'x-api-key': key } }), 403, 'FORBIDDEN')
  for (const payload of [{}, { token: 5 }, { token: 'x', email: 'a@b.c' }]) {
    expectError(t, await a.as(null, { method: 'POST', url: '/auth/verify-email', payload }), 422, 'VALIDATION_FAILED')
  }
  expectError(t, await verify(a, 'no-such-token'), 404, 'NOT_FOUND')
  const u = await user(a, 'fay@example.com')
  t.equal((await a.as(u.access, { method: 'POST', url: '/auth/request-verification' })).statusCode, 202)
  const token = tokenOf(await smtp.next('fay@example.com'))
  const reset = await a.as(null, { method: 'POST', url: '/auth/reset-password', payload: { token, password: 'password-999' } })
  expectError(t, reset, 404, 'NOT_FOUND')
  t.equal((await verify(a, token)).statusCode, 200, 'a verification token is no reset token, and stays valid')
})

t.test('mail templates: per app, placeholders filled (HTML-escaped), checked on save, back to default', async (t) => {
  const server = await build(t, options)
  const a = await createTestApp(server)
  const list = await a.as(a.admin, { url: '/_admin/mail-templates' })
  t.equal(list.statusCode, 200)
  t.same(list.json().data.map((x: { kind: string, is_default: boolean }) => [x.kind, x.is_default]), [['reset', true], ['verify', true], ['invite', true]])
  const put = await a.as(a.admin, {
    method: 'PUT',
    url: '/_admin/mail-templates/reset',
    payload: { subject: 'New password for {{app}}', text: 'Hi {{ email }}, go to {{link}}', html: '<p>Hi {{email}}</p><a href="{{link}}">reset</a>' }
  })
  t.equal(put.statusCode, 200, put.body)
  t.match(put.json().data, { kind: 'reset', is_default: false, subject: 'New password for {{app}}' })
  await user(a, 'o\'neil&co@example.com')
  t.equal((await a.as(null, { method: 'POST', url: '/auth/forgot-password', payload: { email: 'o\'neil&co@example.com' } })).statusCode, 202)
  const mail = await smtp.next('o\'neil&co@example.com')
  t.equal(mail.subject, `New password for ${a.name}`)
  t.match(mail.decoded, /Hi o'neil&co@example\.com, go to http:\/\/localhost:\d+\/reset-password\?token=/)
  t.match(mail.decoded, /<p>Hi o&#39;neil&amp;co@example\.com<\/p>/, 'escaped in HTML')

  for (const [payload, rule] of [
    [{ subject: 'x', text: 'no link here' }, 'link'],
    [{ subject: 'x {{name}}', text: '{{link}}' }, 'placeholder'],
    [{ subject: 'two\nlines', text: '{{link}}' }, 'single_line']
  ] as const) {
    const err = expectError(t, await a.as(a.admin, { method: 'PUT', url: '/_admin/mail-templates/verify', payload }), 422, 'VALIDATION_FAILED')
    t.match(err.details, [{ rule }])
  }
  expectError(t, await a.as(a.admin, { method: 'PUT', url: '/_admin/mail-templates/verify', payload: { subject: 'x', text: '{{link}}', body: 'y' } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: '/_admin/mail-templates/welcome', payload: { subject: 'x', text: '{{link}}' } }), 400, 'INVALID_PAYLOAD')
  t.equal((await a.as(a.admin, { url: '/_admin/mail-templates/verify' })).json().data.is_default, true, 'refused saves stored nothing')
  const back = await a.as(a.admin, { method: 'DELETE', url: '/_admin/mail-templates/reset' })
  t.match(back.json().data, { kind: 'reset', is_default: true, subject: 'Reset your password' })
  expectError(t, await a.as(a.admin, { method: 'PUT', url: '/_admin/mail-settings', payload: { app_url: 'ftp://x' } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: '/_admin/mail-settings', payload: { app_url: 'https://u:p@x.example.com' } }), 422, 'VALIDATION_FAILED')
  t.match((await a.as(a.admin, { url: '/_admin/mail-settings' })).json().data, { app_url: null, transport: 'smtp' })
})

t.test('without SMTP_URL the mail is written to the log at info level', async (t) => {
  const mgmt = `rocket_mgmt_${randomBytes(4).toString('hex')}`
  const pg = await testServerUrl()
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb() } })
  const server = await buildApp({ config: loadConfig({ LOG_LEVEL: 'info' }, { databaseUrl: withDatabase(pg, mgmt) }), logger: { level: 'info', stream } })
  t.teardown(async () => {
    const dbs = await server.platform.sql<Array<{ db_name: string }>>`SELECT db_name FROM _apps`
    await server.close()
    await dropDatabases(pg, [...dbs.map((d) => d.db_name), mgmt])
  })
  const a = await createTestApp(server)
  t.equal((await a.as(null, { method: 'POST', url: '/auth/forgot-password', payload: { email: 'admin@localhost' } })).statusCode, 202)
  let line: string | undefined
  for (let i = 0; i < 100 && line === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    line = lines.find((l) => l.includes('reset-password?token='))
  }
  t.ok(line !== undefined, 'mail logged')
  const entry = JSON.parse(line ?? '{}') as { level?: number, mail?: { to?: string, subject?: string } }
  t.equal(entry.level, 30, 'info')
  t.match(entry.mail, { to: 'admin@localhost', subject: 'Reset your password' })
})
