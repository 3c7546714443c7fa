import type { AddressInfo } from 'node:net'
import t from 'tap'
import { buildApp } from '../../app.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { driveLogin, startTestIssuer, TestBrowser, type TestIssuer } from './oidc-fixture.js'

// The whole redirect dance over real HTTP: Rocket listening on a port, a real OpenID provider
// (oidc-provider) on another, and a cookie-keeping client following Location headers.
const AFTER = 'http://app.example/after-login'
const app = await build(t, { webhookAllowPrivate: true })
await app.listen({ port: 0, host: '127.0.0.1' })
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
const ta: TestApp = await createTestApp(app)
const callbackUrl = (provider: string): string => `${base}/api/${ta.name}/auth/oidc/${provider}/callback`
const start = (provider: string): string => `${base}/api/${ta.name}/auth/oidc/${provider}`
const issuer: TestIssuer = await startTestIssuer(['idp', 'corp', 'public'].map(callbackUrl))
t.teardown(issuer.close)

async function addProvider (body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await ta.as(ta.admin, {
    method: 'POST',
    url: '/_admin/auth-providers',
    payload: { issuer: issuer.issuer, client_id: issuer.clientId, client_secret: issuer.clientSecret, redirect_url: AFTER, ...body }
  })
  if (res.statusCode !== 201) throw new Error(`provider not created: ${res.body}`)
  return (res.json() as { data: Record<string, unknown> }).data
}
await addProvider({ name: 'idp', default_roles: ['member'] })
await addProvider({ name: 'corp', allowed_domains: ['Corp.Example'] })

function fragment (url: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(new URL(url).hash.slice(1)))
}

async function userByEmail (email: string): Promise<{ id: string, roles: string[], password_hash: string | null, email_verified: boolean } | undefined> {
  const ctx = await app.platform.apps.get(ta.name)
  const [row] = await ctx!.sql<Array<{ id: string, roles: string[], password_hash: string | null, email_verified: boolean }>>`
    SELECT id, roles, password_hash, email_verified FROM _users WHERE lower(email) = ${email}`
  return row
}

async function emailVerifiedOnRecord (id: string): Promise<unknown> {
  const res = await ta.as(ta.admin, { url: `/_admin/users/${id}` })
  return (res.json() as { data: { email_verified: unknown } }).data.email_verified
}

t.test('a new person signs in: user created with the default roles, tokens in the fragment', async (t) => {
  issuer.people.set('alice', { email: 'Alice@Example.com', email_verified: true })
  const browser = new TestBrowser()
  const first = await browser.request(start('idp'))
  t.equal(first.status, 302, 'start redirects to the provider')
  const auth = new URL(first.headers.get('location') ?? '')
  t.equal(auth.origin, issuer.issuer)
  t.equal(auth.searchParams.get('code_challenge_method'), 'S256', 'PKCE S256')
  t.ok((auth.searchParams.get('code_challenge') ?? '').length >= 43, 'code challenge')
  t.ok((auth.searchParams.get('state') ?? '').length >= 20, 'state')
  t.ok((auth.searchParams.get('nonce') ?? '').length >= 20, 'nonce')
  t.equal(auth.searchParams.get('redirect_uri'), callbackUrl('idp'))
  t.match(auth.searchParams.get('scope'), /\bopenid\b.*\bemail\b/)
  t.match(first.headers.get('set-cookie'), /rocket_oidc_state=.*HttpOnly; SameSite=Lax/)
  t.equal(first.headers.get('cache-control'), 'no-store')

  const done = await driveLogin(browser, { start: auth.href, login: 'alice', stopAt: AFTER })
  const f = fragment(done.final)
  t.equal(new URL(done.final).origin + new URL(done.final).pathname, AFTER)
  t.equal(f.token_type, 'Bearer')
  t.equal(f.expires_in, String(app.platform.config.accessTokenTtl))
  t.ok(f.refresh_token !== undefined && f.refresh_token !== '', 'refresh token')
  const user = await userByEmail('alice@example.com')
  t.same(user?.roles, ['member'], 'default roles')
  t.equal(user?.password_hash, null, 'no password')
  t.equal(await emailVerifiedOnRecord(user?.id ?? ''), true, 'created with email_verified: the provider verified the address')

  const me = await ta.as(f.access_token ?? '', { method: 'GET', url: '/_ui/configs' })
  t.equal(me.statusCode, 200, 'the access token works')
  const claims = JSON.parse(Buffer.from((f.access_token ?? '').split('.')[1] ?? '', 'base64url').toString()) as { sub: string, app: string, roles: string[] }
  t.equal(claims.sub, user?.id)
  t.equal(claims.app, ta.name)
  const refreshed = await ta.as(null, { method: 'POST', url: '/auth/refresh', payload: { refresh_token: f.refresh_token } })
  t.equal(refreshed.statusCode, 200, 'the refresh token works')
  // No password: the same 401 (and message) as a wrong password for a user who has one.
  const noPassword = expectError(t, await ta.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'alice@example.com', password: 'anything-at-all' } }), 401, 'UNAUTHORIZED')
  const wrongPassword = expectError(t, await ta.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'admin@localhost', password: 'anything-at-all' } }), 401, 'UNAUTHORIZED')
  t.equal(noPassword.message, wrongPassword.message, 'indistinguishable from a wrong password')
  expectError(t, await ta.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'ALICE@example.com', password: '' } }), 400, 'INVALID_PAYLOAD')

  // Signing in again links to the same user (no second row).
  const again = await driveLogin(new TestBrowser(), { start: start('idp'), login: 'alice', stopAt: AFTER })
  const claims2 = JSON.parse(Buffer.from((fragment(again.final).access_token ?? '').split('.')[1] ?? '', 'base64url').toString()) as { sub: string }
  t.equal(claims2.sub, user?.id, 'same user')
})

t.test('an existing user is linked by verified email and keeps their roles', async (t) => {
  const created = await ta.as(ta.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'bob@example.com', password: 'bob-password-1', roles: ['editor'] } })
  t.equal(created.statusCode, 201)
  const id = (created.json() as { data: { id: string } }).data.id
  t.equal(await emailVerifiedOnRecord(id), false, 'unverified before')
  issuer.people.set('bob', { email: 'BOB@example.com', email_verified: true })
  const done = await driveLogin(new TestBrowser(), { start: start('idp'), login: 'bob', stopAt: AFTER })
  const token = fragment(done.final).access_token ?? ''
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub: string, roles: string[] }
  t.equal(claims.sub, id)
  t.same(claims.roles, ['editor'])
  t.same((await userByEmail('bob@example.com'))?.roles, ['editor'], 'roles unchanged')
  t.equal(await emailVerifiedOnRecord(id), true, 'linked by a verified ID-token email: email_verified set')
  t.equal((await ta.as(token, { url: '/_ui/configs' })).statusCode, 200, 'setting it raised no token version: the new token works')
  const login = await ta.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'bob@example.com', password: 'bob-password-1' } })
  t.equal(login.statusCode, 200, 'their password still works')
})

t.test('a wrong state is refused: error in the fragment, no user', async (t) => {
  issuer.people.set('wrongstate', { email: 'wrongstate@example.com', email_verified: true })
  const browser = new TestBrowser()
  const halfway = await driveLogin(browser, { start: start('idp'), login: 'wrongstate', stopAt: AFTER, stopBeforeCallback: true })
  const forged = new URL(halfway.final)
  forged.searchParams.set('state', 'x'.repeat(43))
  const res = await browser.request(forged.href)
  t.equal(res.status, 302)
  const f = fragment(res.headers.get('location') ?? '')
  t.equal(f.error, 'invalid_state')
  t.ok((f.error_description ?? '').length > 0, 'a description')
  t.equal(f.access_token, undefined)
  t.equal(await userByEmail('wrongstate@example.com'), undefined, 'no user created')
})

t.test('a callback from another browser (no state cookie) is refused', async (t) => {
  issuer.people.set('csrf', { email: 'csrf@example.com', email_verified: true })
  const halfway = await driveLogin(new TestBrowser(), { start: start('idp'), login: 'csrf', stopAt: AFTER, stopBeforeCallback: true })
  const res = await new TestBrowser().request(halfway.final)
  t.equal(fragment(res.headers.get('location') ?? '').error, 'invalid_state')
  t.equal(await userByEmail('csrf@example.com'), undefined)
})

t.test('a replayed code is refused, with its own state and with a fresh one', async (t) => {
  issuer.people.set('carol', { email: 'carol@example.com', email_verified: true })
  const browser = new TestBrowser()
  const halfway = await driveLogin(browser, { start: start('idp'), login: 'carol', stopAt: AFTER, stopBeforeCallback: true })
  const used = new URL(halfway.final)
  const ok = await browser.request(halfway.final)
  t.ok(fragment(ok.headers.get('location') ?? '').access_token, 'first use signs in')
  // The same callback again, its state cookie put back (as someone holding both would).
  browser.setCookie(used.host, 'rocket_oidc_state', used.searchParams.get('state') ?? '')
  const replayed = await browser.request(used.href)
  t.equal(fragment(replayed.headers.get('location') ?? '').error, 'invalid_state', 'state is one-time')
  // A fresh login (new state, its cookie) carrying the old code: the provider refuses the code.
  const fresh = await driveLogin(browser, { start: start('idp'), login: 'carol', stopAt: AFTER, stopBeforeCallback: true })
  const mixed = new URL(fresh.final)
  mixed.searchParams.set('code', used.searchParams.get('code') ?? '')
  const res = await browser.request(mixed.href)
  t.equal(fragment(res.headers.get('location') ?? '').error, 'login_failed', 'code is one-time')
})

t.test('an unverified email is refused and creates no user', async (t) => {
  issuer.people.set('mallory', { email: 'mallory@example.com', email_verified: false })
  const done = await driveLogin(new TestBrowser(), { start: start('idp'), login: 'mallory', stopAt: AFTER })
  const f = fragment(done.final)
  t.equal(f.error, 'email_not_verified')
  t.equal(f.access_token, undefined)
  t.equal(await userByEmail('mallory@example.com'), undefined)
})

t.test('allowed_domains: other domains are refused, listed ones sign in', async (t) => {
  issuer.people.set('dan', { email: 'dan@other.example', email_verified: true })
  issuer.people.set('erin', { email: 'erin@corp.example', email_verified: true })
  const refused = await driveLogin(new TestBrowser(), { start: start('corp'), login: 'dan', stopAt: AFTER })
  t.equal(fragment(refused.final).error, 'domain_not_allowed')
  t.equal(await userByEmail('dan@other.example'), undefined)
  const accepted = await driveLogin(new TestBrowser(), { start: start('corp'), login: 'erin', stopAt: AFTER })
  t.ok(fragment(accepted.final).access_token, 'listed domain signs in')
  t.same((await userByEmail('erin@corp.example'))?.roles, [], 'no default roles on this provider')
})

t.test('a disabled user is refused', async (t) => {
  const created = await ta.as(ta.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'frank@example.com', password: 'frank-password', active: false } })
  t.equal(created.statusCode, 201)
  issuer.people.set('frank', { email: 'frank@example.com', email_verified: true })
  const done = await driveLogin(new TestBrowser(), { start: start('idp'), login: 'frank', stopAt: AFTER })
  t.equal(fragment(done.final).error, 'user_disabled')
  t.equal((await userByEmail('frank@example.com'))?.email_verified, false, 'a refused login changes nothing')
})

t.test('the provider answering with an error is reported as provider_error', async (t) => {
  const browser = new TestBrowser()
  const first = await browser.request(start('idp'))
  const state = new URL(first.headers.get('location') ?? '').searchParams.get('state') ?? ''
  const res = await browser.request(`${callbackUrl('idp')}?error=access_denied&state=${state}`)
  const f = fragment(res.headers.get('location') ?? '')
  t.equal(f.error, 'provider_error')
  t.match(f.error_description, /access_denied/)
})

t.test('unknown or inactive providers answer 404 in the envelope', async (t) => {
  expectError(t, await ta.as(null, { method: 'GET', url: '/auth/oidc/nope' }), 404, 'NOT_FOUND')
  expectError(t, await ta.as(null, { method: 'GET', url: '/auth/oidc/nope/callback?code=x&state=y' }), 404, 'NOT_FOUND')
  const p = await addProvider({ name: 'sleeping', active: false })
  expectError(t, await ta.as(null, { method: 'GET', url: '/auth/oidc/sleeping' }), 404, 'NOT_FOUND')
  t.equal(p.active, false)
  expectError(t, await app.inject({ method: 'GET', url: '/api/no_such_app_x/auth/oidc/idp' }), 404, 'APP_NOT_FOUND')
})

t.test('an unreachable issuer redirects with provider_unavailable', async (t) => {
  await addProvider({ name: 'down', issuer: 'http://127.0.0.1:9' })
  const res = await new TestBrowser().request(start('down'))
  t.equal(res.status, 302)
  t.equal(fragment(res.headers.get('location') ?? '').error, 'provider_unavailable')
})

t.test('the callback may reach another server process: the login state is in the database', async (t) => {
  const other = await buildApp({ config: app.platform.config })
  t.teardown(async () => { await other.close() })
  await other.listen({ port: 0, host: '127.0.0.1' })
  const otherHost = `127.0.0.1:${(other.server.address() as AddressInfo).port}`
  issuer.people.set('gina', { email: 'gina@example.com', email_verified: true })
  const browser = new TestBrowser()
  const halfway = await driveLogin(browser, { start: start('idp'), login: 'gina', stopAt: AFTER, stopBeforeCallback: true })
  const there = new URL(halfway.final)
  there.host = otherHost
  browser.setCookie(otherHost, 'rocket_oidc_state', there.searchParams.get('state') ?? '')
  const res = await browser.request(there.href)
  const f = fragment(res.headers.get('location') ?? '')
  t.ok(f.access_token, `signed in by the other process (${JSON.stringify(f)})`)
  t.ok(await userByEmail('gina@example.com'), 'user created')
  // And the state is spent for every process: the first one refuses it now (its cookie still sent).
  browser.setCookie(new URL(halfway.final).host, 'rocket_oidc_state', there.searchParams.get('state') ?? '')
  const replay = await browser.request(halfway.final)
  t.equal(fragment(replay.headers.get('location') ?? '').error, 'invalid_state')
})

t.test('an expired login state is refused', async (t) => {
  issuer.people.set('late', { email: 'late@example.com', email_verified: true })
  const browser = new TestBrowser()
  const halfway = await driveLogin(browser, { start: start('idp'), login: 'late', stopAt: AFTER, stopBeforeCallback: true })
  const ctx = await app.platform.apps.get(ta.name)
  await ctx!.sql`UPDATE _oidc_logins SET expires_at = now() - interval '1 second'`
  const res = await browser.request(halfway.final)
  t.equal(fragment(res.headers.get('location') ?? '').error, 'invalid_state')
  t.equal(await userByEmail('late@example.com'), undefined)
})

t.test('login starts are rate-limited per IP like password login', async (t) => {
  const other = await createTestApp(app, 'oidclimit')
  const max = app.platform.config.loginMaxPerIp
  for (let i = 0; i < max; i++) {
    const res = await other.as(null, { method: 'GET', url: '/auth/oidc/none' })
    if (res.statusCode !== 404) t.fail(`start ${i}: ${res.statusCode}`)
  }
  const over = await other.as(null, { method: 'GET', url: '/auth/oidc/none' })
  expectError(t, over, 429, 'RATE_LIMITED')
  t.ok(Number(over.headers['retry-after']) > 0, 'Retry-After')
})
