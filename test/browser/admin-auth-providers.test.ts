// End to end in Chromium, the auth providers page: a 422 shown under its input, a provider
// created with a write-only secret that then signs a person in through a real OpenID provider,
// an edit that keeps the secret, and a delete. Every outcome is checked through the API too.
import t from 'tap'
import { providerForLogin } from '../../lib/oidc/providers.js'
import { build, createTestApp } from '../helper.js'
import { driveLogin, startTestIssuer, TestBrowser } from '../routes/oidc-fixture.js'
import { expectToast, openAdmin, screenshot, signIn, WAIT } from './admin-helper.js'

// The server openAdmin reuses: the test provider listens on 127.0.0.1.
const server = await build(t, { webhookAllowPrivate: true })

t.test('admin UI: auth providers', async (t) => {
  const s = await openAdmin(t)
  if (s === null) return
  t.equal(s.app, server)
  const { page, base, problems } = s
  const a = await createTestApp(s.app, 'adminoidc')
  const origin = new URL(base).origin
  const issuer = await startTestIssuer([`${origin}/api/${a.name}/auth/oidc/corp/callback`])
  t.teardown(issuer.close)
  const SECRET = issuer.clientSecret
  const after = 'http://app.example/signed-in'

  await page.goto(`${base}login`)
  await signIn(page, { email: 'platform@localhost', password: 'changeme' })
  await page.waitForURL(/\/admin\/apps$/, WAIT)
  await page.goto(`${base}app/${a.name}/auth-providers`)
  await page.getByRole('heading', { name: 'Auth providers', exact: true }).waitFor(WAIT)

  const form = page.getByTestId('provider-form')
  await form.locator('input[name=provider-name]').fill('corp')
  await form.locator('input[name=provider-issuer]').fill('not a url')
  await form.locator('input[name=provider-client-id]').fill(issuer.clientId)
  await form.locator('input[name=provider-client-secret]').fill(SECRET)
  await form.locator('input[name=provider-redirect-url]').fill(after)
  await form.locator('input[name=provider-default-roles]').fill('member, reader')
  await form.getByRole('button', { name: 'Create provider' }).click()
  const issuerError = form.locator('label').filter({ has: page.locator('input[name=provider-issuer]') }).getByRole('alert')
  await issuerError.waitFor(WAIT)
  t.match(await issuerError.textContent(), /issuer/, 'the 422 is shown under the issuer')
  t.same((await a.as(a.admin, { url: '/_admin/auth-providers' })).json().data, [], 'nothing stored')

  await form.locator('input[name=provider-issuer]').fill(issuer.issuer)
  await form.getByRole('button', { name: 'Create provider' }).click()
  await expectToast(page, 'Provider corp saved')
  const row = page.getByTestId('provider-row-corp')
  await row.waitFor(WAIT)
  t.match(await row.textContent(), /secret set/)
  t.match(await row.textContent(), new RegExp(`/api/${a.name}/auth/oidc/corp/callback`), 'the callback to register is shown')
  const listed = await a.as(a.admin, { url: '/_admin/auth-providers' })
  t.match(listed.json().data, [{ name: 'corp', issuer: issuer.issuer, has_secret: true, default_roles: ['member', 'reader'], allowed_domains: null, scopes: ['openid', 'email', 'profile'] }])
  t.notOk(listed.body.includes(SECRET), 'the secret is never answered')
  await screenshot(page, 'admin-auth-providers.png')

  // The provider made in the UI signs a person in (real HTTP, real OpenID provider).
  issuer.people.set('uma', { email: 'uma@example.com', email_verified: true })
  const done = await driveLogin(new TestBrowser(), { start: `${origin}/api/${a.name}/auth/oidc/corp`, login: 'uma', stopAt: after })
  const token = new URLSearchParams(new URL(done.final).hash.slice(1)).get('access_token') ?? ''
  t.match(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()), { roles: ['member', 'reader'], app: a.name })

  // Edit: the secret field left empty keeps the stored secret.
  await row.getByRole('button', { name: 'Edit' }).click()
  const edit = page.getByTestId('provider-form')
  await edit.locator('input[name=provider-allowed-domains]').fill('example.com')
  await edit.getByRole('button', { name: 'Save provider' }).click()
  await expectToast(page, 'Provider corp saved')
  const ctx = await s.app.platform.apps.get(a.name)
  const stored = await providerForLogin(ctx!, 'corp')
  t.same(stored.allowedDomains, ['example.com'])
  t.equal(stored.clientSecret, SECRET, 'secret kept')

  await page.getByTestId('provider-row-corp').getByRole('button', { name: 'Delete' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
  await expectToast(page, 'Provider corp deleted')
  t.same((await a.as(a.admin, { url: '/_admin/auth-providers' })).json().data, [], 'deleted')
  t.same(problems, [], 'no CSP violation or page error')
})
