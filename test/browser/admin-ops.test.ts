// End to end in Chromium, the operations pages: a user created in the UI signs in through the
// API; bulk invites report created and skipped; a policy made in the UI lets one role read and
// not another; a webhook delivers to a local receiver, shows in the delivery log and is retried;
// the export downloads and imports back; a UI config is saved; a sampled request's trace is drawn
// as a waterfall; the audit log lists the writes. Every outcome is checked through the API too.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { build, createTestApp } from '../helper.js'
import { eventually, startReceiver } from '../routes/webhooks-receiver.js'
import { expectToast, openAdmin, screenshot, signIn, WAIT } from './admin-helper.js'

// The test server is built once per process: these settings are what openAdmin gets. Every
// request is sampled; webhooks are polled often and retried soon.
const server = await build(t, { eventsSamplingRate: 1, eventsFlushIntervalMs: 100, webhookPollIntervalMs: 50, webhookBackoffBaseMs: 1000, webhookAllowPrivate: true })

t.test('admin UI: users, invites, permissions, webhooks, export/import, UI configs, events, audit', async (t) => {
  const s = await openAdmin(t)
  if (s === null) return
  t.equal(s.app, server, 'the UI talks to the server built with the test settings')
  const { page, base, problems } = s
  const a = await createTestApp(s.app, 'adminops')
  const receiver = await startReceiver()
  t.teardown(receiver.close)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', fields: [{ name: 'title', type: 'string', required: true }, { name: 'body', type: 'text' }] } })).statusCode, 201)
  const userEmail = 'ui-user@example.test'
  const go = async (path: string, heading: string): Promise<void> => {
    await page.goto(`${base}app/${a.name}/${path}`)
    await page.getByRole('heading', { name: heading, exact: true }).waitFor(WAIT)
  }

  await page.goto(`${base}login`)
  await signIn(page, { email: 'platform@localhost', password: 'changeme' })
  await page.waitForURL(/\/admin\/apps$/, WAIT)

  await t.test('users: a 422 next to the password, then a user created who can sign in', async (t) => {
    await go('users', 'Users')
    const form = page.getByTestId('user-form')
    await form.locator('input[name=user-email]').fill(userEmail)
    await form.locator('input[name=user-password]').fill('short')
    await form.locator('input[name=user-roles]').fill('editor')
    await form.getByRole('button', { name: 'Create user' }).click()
    const alert = form.getByRole('alert').filter({ hasText: /at least/ }).first()
    await alert.waitFor(WAIT)
    t.match(await alert.textContent(), /password must be at least/, 'the detail is shown next to the password input')
    await form.locator('input[name=user-password]').fill('password-123')
    await form.getByRole('button', { name: 'Create user' }).click()
    await expectToast(page, `User ${userEmail} saved`)
    const row = page.getByTestId(`user-row-${userEmail}`)
    await row.waitFor(WAIT)
    t.match(await row.textContent(), /editor.*active/)
    const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: userEmail, password: 'password-123' } })
    t.equal(login.statusCode, 200, 'the new user signs in through the API')
    t.same(login.json().data.user.roles, ['editor'])
    await screenshot(page, 'admin-ops-users.png')

    await row.getByRole('button', { name: 'Deactivate' }).click()
    await expectToast(page, `User ${userEmail} deactivated`)
    const refused = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: userEmail, password: 'password-123' } })
    t.not(refused.statusCode, 200, 'an inactive user cannot sign in')
    await row.getByRole('button', { name: 'Reactivate' }).click()
    await expectToast(page, `User ${userEmail} reactivated`)

    // A second user: roles edited, then deleted through the confirmation.
    await form.locator('input[name=user-email]').fill('temp@example.test')
    await form.locator('input[name=user-password]').fill('password-789')
    await form.getByRole('button', { name: 'Create user' }).click()
    await expectToast(page, 'User temp@example.test saved')
    const temp = page.getByTestId('user-row-temp@example.test')
    // The create toast may still show: the form going back to "New user" marks the save.
    await temp.getByRole('button', { name: 'Edit' }).click()
    await page.getByRole('heading', { name: 'Edit temp@example.test' }).waitFor(WAIT)
    await form.locator('input[name=user-roles]').fill('auditor, viewer')
    await form.getByRole('button', { name: 'Save user' }).click()
    await page.getByRole('heading', { name: 'New user' }).waitFor(WAIT)
    const users = (await a.as(a.admin, { url: '/_admin/users' })).json().data as Array<{ email: string, roles: string[] }>
    t.same(users.find((u) => u.email === 'temp@example.test')?.roles, ['auditor', 'viewer'], 'roles edited')
    await temp.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await expectToast(page, 'User temp@example.test deleted')
    await temp.waitFor({ state: 'detached', ...WAIT })
    t.equal((await a.as(a.admin, { url: '/_admin/users' })).json().meta.total, 2, 'deleted through the API too')
  })

  await t.test('invites: one with its token, then bulk with created and skipped', async (t) => {
    await go('invites', 'Invites')
    await page.locator('input[name=invite-email]').fill('single@example.test')
    await page.locator('input[name=invite-roles]').fill('viewer')
    await page.getByRole('button', { name: 'Create invite', exact: true }).click()
    await expectToast(page, 'Invite for single@example.test created')
    const token = (await page.getByTestId('invite-token').textContent()) ?? ''
    t.ok(token.length > 20, 'the one-time token is shown')
    const accepted = await a.as(null, { method: 'POST', url: '/auth/accept-invite', payload: { token, password: 'password-456' } })
    t.equal(accepted.statusCode, 200, 'the shown token accepts the invite')

    await page.locator('textarea[name=bulk-emails]').fill(['b1@example.test', 'b2@example.test', 'not-an-email', 'b1@example.test', userEmail].join('\n'))
    await page.locator('input[name=bulk-roles]').fill('viewer')
    await page.getByRole('button', { name: 'Create invites' }).click()
    await page.getByTestId('bulk-result').waitFor(WAIT)
    t.equal(await page.getByTestId('bulk-summary').textContent(), '2 created, 2 skipped of 4', 'the repeated address counts once')
    const skipped = await page.getByTestId('bulk-skipped').allTextContents()
    t.match(skipped.join('\n'), /not-an-email — invalid email/)
    t.match(skipped.join('\n'), new RegExp(`${userEmail} — user exists`))
    await page.getByTestId('invite-row-b2@example.test').waitFor(WAIT)
    const listed = (await a.as(a.admin, { url: '/_admin/invites?status=pending' })).json().data as Array<{ email: string }>
    t.same(listed.map((i) => i.email).sort(), ['b1@example.test', 'b2@example.test'])
    await screenshot(page, 'admin-ops-invites.png')

    await page.getByTestId('invite-row-b2@example.test').getByRole('button', { name: 'Revoke' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
    await expectToast(page, 'Invite for b2@example.test revoked')
    t.equal((await a.as(a.admin, { url: '/_admin/invites?status=revoked' })).json().data[0]?.email, 'b2@example.test')
    await page.getByTestId('invite-row-b2@example.test').waitFor({ ...WAIT, state: 'detached' })
  })

  await t.test('permissions: a read policy for editors lets them read, and viewers not', async (t) => {
    const viewer = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'single@example.test', password: 'password-456' } })
    const editor = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: userEmail, password: 'password-123' } })
    const viewerToken = viewer.json().data.access_token as string
    const editorToken = editor.json().data.access_token as string
    t.equal((await a.as(editorToken, { url: '/note' })).statusCode, 403, 'no policy yet: refused')

    await go('permissions', 'Permissions')
    const form = page.getByTestId('permission-form')
    await form.locator('select[name=permission-entity]').selectOption('note')
    await form.locator('input[name=permission-roles]').fill('editor')
    await form.locator('textarea[name=permission-conditions]').fill('[{"field": "nope", "operator": "eq", "value": "$user.id"}]')
    await form.getByRole('button', { name: 'Create policy' }).click()
    await form.getByText(/unknown field 'nope'/).first().waitFor(WAIT)
    t.pass('the 422 detail of a condition is shown')
    await form.locator('textarea[name=permission-conditions]').fill('[]')
    await form.getByRole('button', { name: 'Create policy' }).click()
    await expectToast(page, 'Policy saved')
    await page.getByTestId('permission-row-note-read').waitFor(WAIT)
    t.equal((await a.as(editorToken, { url: '/note' })).statusCode, 200, 'an editor may read notes')
    t.equal((await a.as(viewerToken, { url: '/note' })).statusCode, 403, 'a viewer may not')
    await screenshot(page, 'admin-ops-permissions.png')
  })

  await t.test('webhooks: created in the UI, delivered, shown in the log, retried', async (t) => {
    await go('webhooks', 'Webhooks & deliveries')
    const form = page.getByTestId('webhook-form')
    await form.locator('select[name=webhook-entity]').selectOption('note')
    await form.locator('input[name=webhook-url]').fill('ftp://example.test/hook')
    await form.getByRole('button', { name: /Show headers/ }).click()
    await form.locator('input[name=webhook-max-attempts]').fill('2')
    await form.locator('input[name=webhook-secret]').fill('top-secret')
    await form.getByRole('button', { name: 'Create webhook' }).click()
    const urlError = form.locator('label').filter({ has: page.locator('input[name=webhook-url]') }).getByRole('alert')
    await urlError.waitFor(WAIT)
    t.ok(((await urlError.textContent()) ?? '').length > 0, `the 422 is shown under the URL: ${(await urlError.textContent()) ?? ''}`)
    await form.locator('input[name=webhook-url]').fill(`${receiver.url}/hook`)
    await form.getByRole('button', { name: 'Create webhook' }).click()
    await expectToast(page, 'Webhook after_write on note saved')
    await page.getByTestId('webhook-row-note-after_write').waitFor(WAIT)
    const hooks = (await a.as(a.admin, { url: '/_admin/webhooks' })).json().data as Array<{ url: string, async: boolean, retry: { max_attempts: number }, has_secret: boolean }>
    t.match(hooks, [{ url: `${receiver.url}/hook`, async: true, retry: { max_attempts: 2 }, has_secret: true }])
    t.notOk(JSON.stringify(hooks).includes('top-secret'), 'the secret is never answered')

    const created = await a.as(a.admin, { method: 'POST', url: '/note', payload: { title: 'Hello' } })
    t.equal(created.statusCode, 201)
    const [delivered] = await receiver.waitFor('/hook', 1, 15_000)
    t.ok(typeof delivered?.headers['x-rocket-signature'] === 'string', 'the delivery is signed with the secret')
    await eventually(async () => (await a.as(a.admin, { url: '/_admin/webhook-logs?status=delivered' })).json().meta.total === 1 ? true : undefined)
    await page.getByRole('button', { name: 'Refresh' }).first().click()
    const row = page.getByTestId('delivery-row').first()
    await row.filter({ hasText: 'delivered' }).waitFor(WAIT)
    await row.getByRole('button', { name: 'Details' }).click()
    await page.getByTestId('delivery-detail').waitFor(WAIT)
    t.match(await page.getByTestId('delivery-request-body').textContent(), /"title": "Hello"/, 'the request body is shown')
    t.equal(await page.getByTestId('delivery-response-status').textContent(), '200')
    await screenshot(page, 'admin-ops-webhooks.png')
    await page.getByTestId('delivery-detail').getByRole('button', { name: 'Retry' }).click()
    await expectToast(page, 'Delivery re-queued')
    await receiver.waitFor('/hook', 2, 15_000)
    t.pass('the retry delivered again')
  })

  await t.test('export downloads a JSON document; importing it back skips everything', async (t) => {
    await go('export-import', 'Export / import')
    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.getByRole('button', { name: 'Download export' }).click()])
    const file = await download.path()
    const doc = JSON.parse(await readFile(file, 'utf8')) as { entities: Array<{ name: string }>, webhooks: unknown[], permissions: unknown[] }
    t.ok(doc.entities.some((e) => e.name === 'note'), 'the export holds the entity')
    t.equal(doc.webhooks.length, 1)
    t.equal(doc.permissions.length, 1)
    await page.locator('input[name=import-file]').setInputFiles(file)
    await page.getByTestId('import-json-ok').waitFor(WAIT)
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await page.getByTestId('import-report').waitFor(WAIT)
    t.match(await page.getByTestId('import-summary').textContent(), /no errors/)
    t.match(await page.getByTestId('import-kind-entities').textContent(), /note: /, 'the existing entity is reported as skipped')
    await screenshot(page, 'admin-ops-import.png')
  })

  await t.test('UI configs: invalid JSON is flagged, a valid config is saved', async (t) => {
    await go('ui-configs', 'UI configs')
    const form = page.getByTestId('ui-config-form')
    await form.locator('select[name=ui-config-entity]').selectOption('note')
    await form.locator('input[name=ui-config-scope]').fill('list')
    await form.locator('textarea[name=ui-config-json]').fill('{"columns": ["title",]}')
    await form.getByTestId('ui-config-json-invalid').waitFor(WAIT)
    await form.locator('textarea[name=ui-config-json]').fill('{"columns": ["title", "body"]}')
    await form.getByRole('button', { name: 'Create config' }).click()
    await expectToast(page, 'UI config note/list saved')
    await page.getByTestId('ui-config-row-note-list').waitFor(WAIT)
    const configs = (await a.as(a.admin, { url: '/_admin/ui-configs' })).json().data
    t.match(configs, [{ entity: 'note', scope: 'list', config: { columns: ['title', 'body'] } }])
    await screenshot(page, 'admin-ops-ui-configs.png')

    const row = page.getByTestId('ui-config-row-note-list')
    await row.getByRole('button', { name: 'Edit' }).click()
    await page.getByRole('heading', { name: 'Edit note/list' }).waitFor(WAIT)
    await form.locator('textarea[name=ui-config-json]').fill('{"columns": ["title"], "sort": "-title"}')
    await form.getByRole('button', { name: 'Save config' }).click()
    await page.getByRole('heading', { name: 'New UI config' }).waitFor(WAIT)
    const read = await a.as(a.admin, { url: '/_ui/config/note?scope=list' })
    t.equal(read.statusCode, 200, read.body)
    t.match(JSON.stringify(read.json()), /-title/, 'clients read the edited config')
    await row.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await expectToast(page, 'UI config note/list deleted')
    t.equal((await a.as(a.admin, { url: '/_admin/ui-configs' })).json().meta.total, 0)
  })

  await t.test('events: a sampled request drawn as a waterfall', async (t) => {
    const traceId = 'adminops0trace0000000000000000001'
    const res = await a.as(a.admin, { method: 'POST', url: '/note', headers: { 'x-trace-id': traceId }, payload: { title: 'Traced' } })
    t.equal(res.statusCode, 201)
    t.equal(res.headers['x-trace-id'], traceId)
    await s.app.events.flush()
    await go(`events?trace=${traceId}`, 'Events & traces')
    await page.getByTestId('trace-waterfall').waitFor(WAIT)
    t.equal(await page.getByTestId('trace-id').textContent(), traceId)
    const bars = await page.getByTestId('trace-bar').count()
    t.ok(bars >= 2, `the spans are drawn as bars (${bars})`)
    t.match(await page.getByTestId('trace-waterfall').textContent(), /http · POST/, 'the root http span is labelled')
    await page.getByTestId('trace-span').first().click()
    t.match(await page.getByTestId('span-detail').textContent(), /http\.request[\s\S]*"status_code": 201/, 'a span shows its details and metadata')
    await page.getByTestId('event-row').first().waitFor(WAIT)
    await page.getByTestId('event-stats').waitFor(WAIT)
    await screenshot(page, 'admin-ops-events.png')
  })

  await t.test('audit: the writes are listed and filterable', async (t) => {
    await go('audit', 'Audit log')
    await page.locator('select[name=audit-entity]').selectOption('note')
    await eventually(async () => (await page.getByTestId('audit-row').count()) === 2 ? true : undefined, 10_000)
    t.pass('both notes are in the audit log')
    await screenshot(page, 'admin-ops-audit.png')
  })

  t.same(problems, [], 'no CSP violation or page error')
})
