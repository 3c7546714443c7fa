// End to end in Chromium: the admin UI's sign-in (platform and app users), wrong passwords,
// the token refresh on a 401, client-side routes surviving a reload, and logout.
import t from 'tap'
import { APP_PAGES } from '../../admin/src/components/nav.js'
import { createTestApp } from '../helper.js'
import { openAdmin, screenshot, signIn, WAIT } from './admin-helper.js'

t.test('admin UI: sign-in, errors, refresh, deep links, logout', async (t) => {
  const s = await openAdmin(t)
  if (s === null) return
  const { page, base, problems } = s
  const a = await createTestApp(s.app, 'adminauth')

  await t.test('a wrong password shows the API error and keeps the form', async (t) => {
    await page.goto(base)
    await page.waitForURL(/\/admin\/login$/, WAIT)
    await signIn(page, { email: 'platform@localhost', password: 'wrong-password' })
    const error = page.getByTestId('error-panel')
    await error.waitFor(WAIT)
    t.match(await error.textContent(), /UNAUTHORIZED/, 'the error code is shown')
    t.match(page.url(), /\/admin\/login$/, 'still on the login page')
    t.equal(await page.evaluate(() => localStorage.getItem('rocket.admin.session')), null, 'no session stored')
    await screenshot(page, 'admin-login-error.png')
  })

  await t.test('platform login lands on the apps list; the session is stored', async (t) => {
    await page.goto(`${base}login`)
    await signIn(page, { email: 'platform@localhost', password: 'changeme' })
    await page.waitForURL(/\/admin\/apps$/, WAIT)
    await page.getByTestId(`app-row-${a.name}`).waitFor(WAIT)
    t.equal(await page.getByTestId('user-email').textContent(), 'platform@localhost')
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('rocket.admin.session') ?? 'null') as { scope: string } | null)
    t.equal(stored?.scope, 'platform')
  })

  await t.test('an expired access token is refreshed once with the refresh token', async (t) => {
    // Break the access token only: the first API call answers 401, the client refreshes and retries.
    await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('rocket.admin.session') ?? '{}') as { accessToken: string }
      s.accessToken = 'expired.token.value'
      localStorage.setItem('rocket.admin.session', JSON.stringify(s))
    })
    const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/_platform/auth/refresh') && r.status() === 200, WAIT)
    await page.goto(`${base}apps`)
    await refreshed
    await page.getByTestId(`app-row-${a.name}`).waitFor(WAIT)
    const token = await page.evaluate(() => (JSON.parse(localStorage.getItem('rocket.admin.session') ?? '{}') as { accessToken: string }).accessToken)
    t.not(token, 'expired.token.value', 'a new access token is stored')
    const res = await s.app.inject({ method: 'GET', url: '/api/_platform/apps', headers: { authorization: `Bearer ${token}` } })
    t.equal(res.statusCode, 200, 'and the API accepts it')
  })

  await t.test('a deep link to a client-side route survives a reload (SPA fallback)', async (t) => {
    await page.goto(`${base}app/${a.name}/relations`)
    await page.getByRole('heading', { name: 'Relations' }).waitFor(WAIT)
    t.equal(await page.getByTestId('current-app').textContent(), a.name, 'the app from the URL is selected')
    await page.reload()
    await page.getByRole('heading', { name: 'Relations' }).waitFor(WAIT)
    const links = await page.getByRole('link').allTextContents()
    for (const p of APP_PAGES) t.ok(links.some((l) => l.includes(p.label)), `the sidebar lists ${p.label}`)
    const docs = page.getByRole('link', { name: /API docs/ })
    t.equal(await docs.getAttribute('href'), `/api/${a.name}/_docs`, 'the sidebar links to the API docs of the app')
  })

  await t.test('logout revokes the refresh token and returns to the login page', async (t) => {
    const stored = await page.evaluate(() => (JSON.parse(localStorage.getItem('rocket.admin.session') ?? '{}') as { refreshToken: string }).refreshToken)
    const revoked = page.waitForResponse((r) => r.url().endsWith('/auth/logout'), WAIT)
    await page.getByRole('button', { name: 'Log out' }).click()
    t.equal((await revoked).status(), 200, 'the UI revoked its refresh token')
    await page.waitForURL(/\/admin\/login$/, WAIT)
    const again = await s.app.inject({ method: 'POST', url: '/api/_platform/auth/refresh', payload: { refresh_token: stored } })
    t.equal(again.statusCode, 401, 'the old refresh token no longer works')
  })

  await t.test('app users sign in to their app and land on its entities', async (t) => {
    await signIn(page, { email: 'admin@localhost', password: 'changeme', app: a.name })
    await page.waitForURL(new RegExp(`/admin/app/${a.name}/entities$`), WAIT)
    await page.getByRole('heading', { name: 'Entities' }).waitFor(WAIT)
    t.match(await page.getByText(`app ${a.name}`).first().textContent(), a.name, 'the top bar names the app session')
    await page.getByRole('link', { name: 'App', exact: true }).click()
    await page.getByTestId(`app-row-${a.name}`).waitFor(WAIT)
    t.equal(await page.getByTestId('create-app-form').count(), 0, 'app users cannot create apps')
    await screenshot(page, 'admin-app-session.png')
  })

  t.same(problems, [], 'no CSP violation or page error')
})
