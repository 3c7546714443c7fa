// End to end in Chromium, the access pages: an API key created in the UI is shown once, works
// against the API, is listed without the key and is revoked (then refused); a mail template
// edited in the UI is what a password-reset mail says, a refused template shows its detail, and
// the app URL set in the UI is where the link points. Outcomes are checked through the API too.
import t from 'tap'
import { startSmtpSink, tokenOf } from '../smtp-sink.js'
import { build, createTestApp } from '../helper.js'
import { expectToast, openAdmin, screenshot, signIn, WAIT } from './admin-helper.js'

const smtp = await startSmtpSink()
t.teardown(smtp.close)
await build(t, { smtpUrl: smtp.url })

t.test('admin UI: API keys and mail templates', async (t) => {
  const s = await openAdmin(t)
  if (s === null) return
  const { page, base, problems } = s
  const a = await createTestApp(s.app, 'adminaccess')
  const go = async (path: string, heading: string): Promise<void> => {
    await page.goto(`${base}app/${a.name}/${path}`)
    await page.getByRole('heading', { name: heading, exact: true }).waitFor(WAIT)
  }
  await page.goto(`${base}login`)
  await signIn(page, { email: 'platform@localhost', password: 'changeme' })
  await page.waitForURL(/\/admin\/apps$/, WAIT)

  await t.test('API keys: created and shown once, used, listed without the key, revoked', async (t) => {
    await go('api-keys', 'API keys')
    const form = page.getByTestId('api-key-form')
    await form.locator('input[name=api-key-name]').fill('nightly-export')
    await form.locator('input[name=api-key-roles]').fill('admin')
    await form.getByRole('button', { name: 'Create API key' }).click()
    await expectToast(page, 'API key nightly-export created')
    const key = (await page.getByTestId('api-key-value').textContent() ?? '').trim()
    t.match(key, /^rk_[A-Za-z0-9_-]{43}$/, 'the key is shown')
    const used = await s.app.inject({ url: `/api/${a.name}/_admin/entities`, headers: { 'x-api-key': key } })
    t.equal(used.statusCode, 200, 'the key works against the API')
    const row = page.getByTestId('api-key-row-nightly-export')
    await row.waitFor(WAIT)
    t.match(await row.textContent(), /admin.*active/)
    t.notOk((await page.getByTestId('api-keys-table').textContent() ?? '').includes(key), 'the table does not hold the key')
    await page.getByTestId('api-key-panel').getByRole('button', { name: 'Dismiss' }).click()
    await page.reload()
    await page.getByTestId('api-key-row-nightly-export').waitFor(WAIT)
    t.equal(await page.getByTestId('api-key-panel').count(), 0, 'not shown again')
    t.notOk((await page.content()).includes(key), 'nowhere on the page after a reload')

    // A date in the past: the server's 422 detail is shown next to the input.
    await form.locator('input[name=api-key-name]').fill('stale')
    await form.locator('input[name=api-key-expires]').fill('2000-01-01T00:00')
    await form.getByRole('button', { name: 'Create API key' }).click()
    await form.getByRole('alert').filter({ hasText: /future/ }).first().waitFor(WAIT)
    await screenshot(page, 'admin-api-keys.png')

    await page.getByTestId('api-key-row-nightly-export').getByRole('button', { name: 'Revoke' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
    await expectToast(page, 'API key nightly-export revoked')
    const refused = await s.app.inject({ url: `/api/${a.name}/_admin/entities`, headers: { 'x-api-key': key } })
    t.equal(refused.statusCode, 401, 'a revoked key is refused')
    t.same((await a.as(a.admin, { url: '/_admin/api-keys' })).json().data, [], 'nothing active left')
  })

  await t.test('mail templates: an edited reset mail is what is sent, with the app URL set here', async (t) => {
    await go('mail-templates', 'Mail templates')
    const settings = page.getByTestId('mail-settings-form')
    t.match(await page.getByTestId('mail-transport').textContent(), /SMTP/)
    await settings.locator('input[name=mail-app-url]').fill('https://portal.example.com')
    await settings.getByRole('button', { name: 'Save settings' }).click()
    await expectToast(page, 'Mail settings saved')

    const editor = page.getByTestId('mail-template-reset')
    await editor.locator('textarea[name=mail-text]').fill('no link at all')
    await editor.getByRole('button', { name: 'Save template' }).click()
    await editor.getByRole('alert').filter({ hasText: /\{\{link\}\}/ }).first().waitFor(WAIT)
    await editor.locator('input[name=mail-subject]').fill('Your {{app}} password')
    await editor.locator('textarea[name=mail-text]').fill('Hello {{email}}, choose a new password: {{link}}')
    await editor.getByRole('button', { name: 'Save template' }).click()
    await expectToast(page, 'Password reset template saved')
    await screenshot(page, 'admin-mail-templates.png')

    t.equal((await a.as(null, { method: 'POST', url: '/auth/forgot-password', payload: { email: 'admin@localhost' } })).statusCode, 202)
    const mail = await smtp.next('admin@localhost')
    t.equal(mail.subject, `Your ${a.name} password`)
    t.match(mail.decoded, /Hello admin@localhost, choose a new password: https:\/\/portal\.example\.com\/reset-password\?token=/)
    t.ok(tokenOf(mail).length > 20)

    await page.getByTestId('mail-kind-verify').click()
    await page.getByTestId('mail-template-verify').waitFor(WAIT)
    await page.getByTestId('mail-kind-reset').click()
    await page.getByTestId('mail-template-reset').getByRole('button', { name: 'Reset to default' }).click()
    await expectToast(page, 'Password reset template back to the default')
    t.match((await a.as(a.admin, { url: '/_admin/mail-templates/reset' })).json().data, { is_default: true, subject: 'Reset your password' })
  })
  t.same(problems, [], 'no CSP violations or page errors')
})
