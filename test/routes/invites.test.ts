import { createHash } from 'node:crypto'
import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

type Row = Record<string, unknown>

async function invite (a: TestApp, email: string, roles: string[] = []): Promise<Row> {
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email, roles } })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data
}

const accept = async (a: TestApp, token: unknown, password: unknown = 'invited-pass'): Promise<ReturnType<TestApp['as']>> =>
  await a.as(null, { method: 'POST', url: '/auth/accept-invite', payload: { token, password } })

t.test('invite, accept once, sign in with the invite roles', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: ' New@Example.test ', roles: ['editor'] } })
  t.equal(created.statusCode, 201, created.body)
  const inv = created.json().data
  t.match(inv, { email: 'new@example.test', roles: ['editor'], status: 'pending' })
  t.type(inv.token, 'string', 'the one-time token is shown at creation')
  const hours = (new Date(inv.expires_at).getTime() - Date.now()) / 3600_000
  t.ok(hours > 71.9 && hours <= 72, 'valid 72 h')
  const listed = await a.as(a.admin, { url: '/_admin/invites' })
  t.equal(listed.json().data.length, 1)
  t.notOk(listed.body.includes(inv.token), 'the token is never shown again')
  t.notOk(/token/.test((await a.as(a.admin, { url: `/_admin/invites/${String(inv.id)}` })).body))
  const ctx = await app.platform.apps.get(a.name)
  const [stored] = await ctx!.sql<Array<{ token_hash: string }>>`SELECT token_hash FROM _invites WHERE id = ${inv.id}`
  t.equal(stored?.token_hash, createHash('sha256').update(inv.token).digest('hex'), 'stored as a SHA-256 hash')

  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'NEW@example.test' } }), 409, 'CONFLICT')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'admin@localhost' } }), 409, 'CONFLICT')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'nope' } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'x@example.test', roles: [1] } }), 422, 'VALIDATION_FAILED')

  expectError(t, await accept(a, inv.token, 'short'), 422, 'VALIDATION_FAILED')
  const ok = await accept(a, inv.token)
  t.equal(ok.statusCode, 200, ok.body)
  const tokens = ok.json().data
  t.same(Object.keys(tokens).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type', 'user'], 'the login envelope')
  t.match(tokens.user, { email: 'new@example.test', roles: ['editor'] })
  t.equal((await a.as(tokens.access_token, { url: '/_admin/entities' })).statusCode, 403, 'a signed-in editor, not an admin')
  t.equal((await a.as(null, { method: 'POST', url: '/auth/refresh', payload: { refresh_token: tokens.refresh_token } })).statusCode, 200)
  t.equal((await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'new@example.test', password: 'invited-pass' } })).statusCode, 200)
  const used = await accept(a, inv.token)
  expectError(t, used, 404, 'NOT_FOUND')
  t.match(used.json().error.details, [{ field: 'token', rule: 'accepted' }])
  t.match(used.json().error.message, /already been used/)
  t.equal((await a.as(a.admin, { url: `/_admin/invites/${String(inv.id)}` })).json().data.status, 'accepted')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'new@example.test' } }), 409, 'CONFLICT')
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: `/_admin/invites/${String(inv.id)}` }), 409, 'CONFLICT')
})

t.test('revoked, expired and unknown tokens are refused', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const revoked = await invite(a, 'r@example.test')
  const del = await a.as(a.admin, { method: 'DELETE', url: `/_admin/invites/${String(revoked.id)}` })
  t.same(del.json(), { data: { id: revoked.id } })
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: `/_admin/invites/${String(revoked.id)}` }), 404, 'NOT_FOUND')
  const r = await accept(a, revoked.token)
  expectError(t, r, 404, 'NOT_FOUND')
  t.match(r.json().error.message, /revoked/)
  t.same((await a.as(a.admin, { url: '/_admin/invites' })).json().data, [], 'a revoked invite leaves the default list')
  t.same((await a.as(a.admin, { url: '/_admin/invites?status=revoked' })).json().data.map((i: Row) => i.email), ['r@example.test'])
  t.equal((await a.as(a.admin, { url: `/_admin/invites/${String(revoked.id)}` })).json().data.status, 'revoked', 'still readable by id')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'r@example.test' } })).statusCode, 201, 'a revoked invite is not pending')

  const expired = await invite(a, 'e@example.test')
  const ctx = await app.platform.apps.get(a.name)
  await ctx!.sql`UPDATE _invites SET expires_at = now() - interval '1 minute' WHERE id = ${String(expired.id)}`
  const e = await accept(a, expired.token)
  expectError(t, e, 404, 'NOT_FOUND')
  t.match(e.json().error.message, /expired/)
  t.equal((await a.as(a.admin, { url: `/_admin/invites/${String(expired.id)}` })).json().data.status, 'expired')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/invites', payload: { email: 'e@example.test' } })).statusCode, 201, 'an expired invite can be replaced')

  expectError(t, await accept(a, 'no-such-token'), 404, 'NOT_FOUND')
  expectError(t, await accept(a, 'x'.repeat(5000)), 404, 'NOT_FOUND')
  const noToken = await accept(a, undefined)
  expectError(t, noToken, 422, 'VALIDATION_FAILED')
  t.match(noToken.json().error.details, [{ field: 'token', rule: 'required' }])
  const noPassword = await a.as(null, { method: 'POST', url: '/auth/accept-invite', payload: { token: expired.token } })
  expectError(t, noPassword, 422, 'VALIDATION_FAILED')
  t.match(noPassword.json().error.details, [{ field: 'password' }])
  const empty = await a.as(null, { method: 'POST', url: '/auth/accept-invite', payload: {} })
  expectError(t, empty, 422, 'VALIDATION_FAILED')
  t.same(empty.json().error.details.map((d: Row) => d.field), ['token', 'password'], 'both named at once')
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/accept-invite' }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/accept-invite', payload: [] }), 400, 'INVALID_PAYLOAD')
  t.equal((await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'e@example.test', password: 'invited-pass' } })).statusCode, 401, 'no user was created')
  expectError(t, await a.as(a.admin, { url: '/_admin/invites?status=weird' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: '/_admin/invites/00000000-0000-4000-8000-000000000000' }), 404, 'NOT_FOUND')
})

t.test('concurrent accepts: the token works once', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const inv = await invite(a, 'race@example.test')
  const results = await Promise.all([accept(a, inv.token), accept(a, inv.token), accept(a, inv.token)])
  t.same(results.map((r) => r.statusCode).sort(), [200, 404, 404])
})

t.test('bulk invites: normalized, deduplicated before processing, with skip reasons and a summary', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await invite(a, 'pending@example.test')
  const res = await a.as(a.admin, {
    method: 'POST',
    url: '/_admin/invites/bulk',
    payload: { emails: [' One@Example.test', 'one@example.test', 'two@example.test', 'bad address', 'admin@localhost', 'PENDING@example.test', 42], roles: ['viewer'] }
  })
  t.equal(res.statusCode, 200, res.body)
  const { created, skipped, summary } = res.json().data
  t.same(created.map((i: Row) => [i.email, i.roles, typeof i.token]), [['one@example.test', ['viewer'], 'string'], ['two@example.test', ['viewer'], 'string']])
  t.same(skipped, [
    { email: 'bad address', reason: 'invalid email' },
    { email: '42', reason: 'invalid email' },
    { email: 'admin@localhost', reason: 'user exists' },
    { email: 'pending@example.test', reason: 'invite pending' }
  ], 'the repeated address is neither created twice nor reported')
  t.same(summary, { total: 6, created: 2, skipped: 4 })
  const again = (await a.as(a.admin, { method: 'POST', url: '/_admin/invites/bulk', payload: { emails: ['Six@example.test', 'six@example.test ', 'SIX@EXAMPLE.TEST'] } })).json().data
  t.same([again.created.map((i: Row) => i.email), again.skipped, again.summary], [['six@example.test'], [], { total: 1, created: 1, skipped: 0 }])
  const arr = await a.as(a.admin, { method: 'POST', url: '/_admin/invites/bulk', payload: [{ email: 'three@example.test', roles: ['a'] }, { email: 'four@example.test', roles: 'a' }, { email: 'five@example.test' }] })
  t.same(arr.json().data.created.map((i: Row) => [i.email, i.roles]), [['three@example.test', ['a']], ['five@example.test', []]])
  t.same(arr.json().data.skipped, [{ email: 'four@example.test', reason: 'invalid roles' }])
  t.same(arr.json().data.summary, { total: 3, created: 2, skipped: 1 })
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/invites/bulk', payload: { emails: 'x@example.test' } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/invites/bulk', payload: { emails: Array.from({ length: 1001 }, (_, i) => `u${i}@example.test`) } }), 422, 'VALIDATION_FAILED')
  const member = (await accept(a, created[0].token)).json().data.access_token
  expectError(t, await a.as(member, { method: 'POST', url: '/_admin/invites', payload: { email: 'z@example.test' } }), 403, 'FORBIDDEN')
})
