import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { SMTPServer } from 'smtp-server'
import t, { type Test } from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig, type Config } from '../../config/index.js'
import { withDatabase } from '../../lib/db/connection.js'
import { dropDatabases, freePort, testServerUrl } from '../db-helper.js'
import { startSmtpSink, tokenOf } from '../smtp-sink.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

type Row = Record<string, unknown>

// Invites mail the `invite` template over a real SMTP server in the test process.
const smtp = await startSmtpSink()
t.teardown(smtp.close)
const options = { smtpUrl: smtp.url, publicUrl: 'https://rocket.example.com' }

const accept = async (a: TestApp, token: string): Promise<Awaited<ReturnType<TestApp['as']>>> =>
  await a.as(null, { method: 'POST', url: '/auth/accept-invite', payload: { token, password: 'invited-pass' } })

t.test('an invite is mailed: the link carries the token shown once, and it accepts the invite', async (t) => {
  const server = await build(t, options)
  const a = await createTestApp(server)
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: ' Zoe@Example.com ', roles: ['editor'] } })
  t.equal(created.statusCode, 201, created.body)
  const invite = created.json().data
  t.type(invite.token, 'string', 'the token is still in the create answer')
  const mail = await smtp.next('zoe@example.com')
  t.equal(mail.subject, 'You are invited', 'the default template')
  t.match(mail.decoded, new RegExp(`You have been invited to ${a.name}\\.`), '{{app}} filled')
  t.match(mail.decoded, /https:\/\/rocket\.example\.com\/accept-invite\?token=/, 'link on PUBLIC_URL (the default app_url)')
  t.match(mail.raw, /^From: .*no-reply@localhost/m)
  const token = tokenOf(mail)
  t.equal(token, invite.token, 'the mailed token is the one shown in the answer')
  const ok = await accept(a, token)
  t.equal(ok.statusCode, 200, ok.body)
  t.match(ok.json().data.user, { email: 'zoe@example.com', roles: ['editor'] })
  expectError(t, await accept(a, token), 404, 'NOT_FOUND')
})

t.test('the app\'s invite template and app_url are used; {{email}} is the invitee', async (t) => {
  const server = await build(t, options)
  const a = await createTestApp(server)
  const saved = await a.as(a.admin, {
    method: 'PUT',
    url: '/_admin/mail-templates/invite',
    payload: { subject: 'Join {{app}}', text: 'Hello {{email}}, start here: {{link}}', html: '<p>Hello {{email}}: <a href="{{link}}">join</a></p>' }
  })
  t.equal(saved.statusCode, 200, saved.body)
  t.equal((await a.as(a.admin, { method: 'PUT', url: '/_admin/mail-settings', payload: { app_url: 'https://app.example.org/base/' } })).statusCode, 200)
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'yan@example.com' } })
  t.equal(created.statusCode, 201)
  const mail = await smtp.next('yan@example.com')
  t.equal(mail.subject, `Join ${a.name}`)
  t.match(mail.decoded, /Hello yan@example\.com, start here: https:\/\/app\.example\.org\/base\/accept-invite\?token=/)
  t.match(mail.decoded, /<a href="https:\/\/app\.example\.org\/base\/accept-invite\?token=/, 'the HTML part too')
  t.equal(tokenOf(mail), created.json().data.token)
})

t.test('bulk invites: each created invite is mailed its own token, skipped ones are not', async (t) => {
  const server = await build(t, options)
  const a = await createTestApp(server)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'waiting@example.com' } })).statusCode, 201)
  await smtp.next('waiting@example.com')
  const res = await a.as(a.admin, {
    method: 'POST',
    url: '/_admin/invites/bulk',
    payload: { emails: ['Ann@example.com', 'ann@example.com', 'ben@example.com', 'not an address', 'admin@localhost', 'WAITING@example.com'], roles: ['viewer'] }
  })
  t.equal(res.statusCode, 200, res.body)
  const { created, summary } = res.json().data as { created: Row[], summary: Row }
  t.same(summary, { total: 5, created: 2, skipped: 3 })
  for (const invite of created) {
    const mail = await smtp.next(invite.email as string)
    t.equal(tokenOf(mail), invite.token, `${String(invite.email)}: its own token`)
    t.equal((await accept(a, tokenOf(mail))).statusCode, 200, `${String(invite.email)}: the mailed link accepts the invite`)
  }
  // The mails go one after the other; give a wrongly sent extra one the time to arrive.
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.same(smtp.mails.filter((m) => m.to.includes('ann@example.com')).length, 1, 'a repeated address is mailed once')
  t.same(smtp.mails.filter((m) => m.to.some((to) => ['admin@localhost', 'waiting@example.com', 'not an address'].includes(to))).length, 1,
    'skipped addresses get nothing (the one mail is the earlier single invite)')
})

/** A server of its own whose log lines are kept (JSON, one per line). */
async function loggedServer (t: Test, overrides: Partial<Config>): Promise<{ server: FastifyInstance, lines: string[] }> {
  const mgmt = `rocket_mgmt_${randomBytes(4).toString('hex')}`
  const pg = await testServerUrl()
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb() } })
  const server = await buildApp({ config: loadConfig({ LOG_LEVEL: 'debug' }, { databaseUrl: withDatabase(pg, mgmt), ...overrides }), logger: { level: 'debug', stream } })
  t.teardown(async () => {
    const dbs = await server.platform.sql<Array<{ db_name: string }>>`SELECT db_name FROM _apps`
    await server.close()
    await dropDatabases(pg, [...dbs.map((d) => d.db_name), mgmt])
  })
  return { server, lines }
}

async function waitForLine (lines: string[], pred: (line: string) => boolean): Promise<string | undefined> {
  for (let i = 0; i < 150; i++) {
    const line = lines.find(pred)
    if (line !== undefined) return line
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return undefined
}

t.test('an unreachable SMTP server fails no invite; the failure is logged without address or token', async (t) => {
  const { server, lines } = await loggedServer(t, { smtpUrl: `smtp://127.0.0.1:${await freePort()}` })
  const a = await createTestApp(server)
  const one = await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'lost@example.com' } })
  t.equal(one.statusCode, 201, 'the invite is created and answered')
  const bulk = await a.as(a.admin, { method: 'POST', url: '/_admin/invites/bulk', payload: { emails: ['lost2@example.com', 'lost3@example.com'] } })
  t.equal(bulk.statusCode, 200)
  t.equal(bulk.json().data.summary.created, 2)
  const failures = async (): Promise<string[]> => {
    await waitForLine(lines, () => lines.filter((l) => l.includes('sending a mail failed')).length >= 3)
    return lines.filter((l) => l.includes('sending a mail failed'))
  }
  const failed = await failures()
  t.equal(failed.length, 3, 'one logged failure per mail (a bulk goes on after a failed mail)')
  t.match(JSON.parse(failed[0] ?? '{}'), { level: 50, app: a.name, kind: 'invite' })
  const tokens = [one.json().data.token, ...bulk.json().data.created.map((i: Row) => i.token)] as string[]
  t.notOk(lines.some((l) => tokens.some((token) => l.includes(token))), 'no token in any log line')
  t.notOk(failed.some((l) => l.includes('lost')), 'no address in the failure lines')
  t.equal((await accept(a, tokens[0] as string)).statusCode, 200, 'the token from the answer still works')
})

t.test('an SMTP server refusing the address: the failure is logged without the address it quoted', async (t) => {
  const refusing = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo (address, _session, callback) {
      callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected`), { responseCode: 550 }))
    }
  })
  await new Promise<void>((resolve) => { refusing.listen(0, '127.0.0.1', resolve) })
  t.teardown(async () => { await new Promise<void>((resolve) => { refusing.close(() => { resolve() }) }) })
  const port = (refusing.server.address() as { port: number }).port
  const { server, lines } = await loggedServer(t, { smtpUrl: `smtp://127.0.0.1:${port}` })
  const a = await createTestApp(server)
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'refused@example.com' } })
  t.equal(res.statusCode, 201)
  const line = await waitForLine(lines, (l) => l.includes('sending a mail failed'))
  t.ok(line !== undefined, 'the failure is logged')
  t.match(JSON.parse(line ?? '{}'), { level: 50, kind: 'invite', err: { responseCode: 550 } })
  t.notOk(lines.some((l) => l.includes('refused@example.com')), 'the address is in no log line')
})

t.test('without SMTP_URL the invite mail goes to the log at info level, and nowhere else', async (t) => {
  const { server, lines } = await loggedServer(t, {})
  const a = await createTestApp(server)
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'dev@example.com' } })
  t.equal(created.statusCode, 201)
  const token = created.json().data.token as string
  const line = await waitForLine(lines, (l) => l.includes('accept-invite?token='))
  t.ok(line !== undefined, 'mail logged')
  const entry = JSON.parse(line ?? '{}') as { level?: number, mail?: { to?: string, subject?: string, text?: string } }
  t.equal(entry.level, 30, 'info')
  t.match(entry.mail, { to: 'dev@example.com', subject: 'You are invited' })
  t.match(entry.mail?.text, `/accept-invite?token=${token}`)
  const withToken = lines.filter((l) => l.includes(token))
  t.equal(withToken.length, 1, 'the token is in that one line only (debug logging on)')
})
