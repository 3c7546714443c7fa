// End to end in Chromium: an app created, selected and deleted through the admin UI; entities
// built field by field with the type pickers (slug, soft delete, timestamps); a 422 shown next to
// the field it names; a relation created and edited. Every outcome is checked through the API too.
import type { Page } from 'playwright-core'
import t from 'tap'
import { platformToken, uniqueName } from '../helper.js'
import { expectToast, openAdmin, screenshot, signIn, WAIT } from './admin-helper.js'

interface FieldSpec {
  name: string
  type: string
  required?: boolean
  unique?: boolean
  /** Option inputs inside the row's options panel, by input name. */
  options?: Record<string, string>
}

/** Fills a new field row at the end of the fields table. */
async function addField (page: Page, index: number, f: FieldSpec): Promise<void> {
  await page.getByRole('button', { name: '+ Add field' }).click()
  const row = page.getByTestId(`field-row-${index}`)
  await row.locator('input[name=field-name]').fill(f.name)
  await row.locator('select[name=field-type]').selectOption(f.type)
  if (f.required === true) await row.locator('input[name=field-required]').check()
  if (f.unique === true) await row.locator('input[name=field-unique]').check()
  if (f.options !== undefined) {
    await row.locator('button[name=field-options-toggle]').click()
    for (const [name, value] of Object.entries(f.options)) {
      const input = row.locator(`[name=${name}]`)
      if (await input.evaluate((el) => el.tagName === 'SELECT')) await input.selectOption(value)
      else await input.fill(value)
    }
  }
}

t.test('admin UI: apps, entities with every field type, a 422, relations', async (t) => {
  const s = await openAdmin(t)
  if (s === null) return
  const { page, base, problems } = s
  const token = await platformToken(s.app)
  const api = async (url: string): Promise<{ statusCode: number, body: any }> => {
    const res = await s.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
    return { statusCode: res.statusCode, body: res.json() }
  }
  const appName = uniqueName('adminui')

  await page.goto(`${base}login`)
  await signIn(page, { email: 'platform@localhost', password: 'changeme' })
  await page.waitForURL(/\/admin\/apps$/, WAIT)

  await t.test('create an app, then select it', async (t) => {
    const form = page.getByTestId('create-app-form')
    await form.locator('input[name=name]').fill(appName)
    await form.locator('input[name=display_name]').fill('Admin UI test')
    await form.getByRole('button', { name: 'Create app' }).click()
    await expectToast(page, `App ${appName} created`)
    const row = page.getByTestId(`app-row-${appName}`)
    await row.waitFor(WAIT)
    t.equal((await api(`/api/_platform/apps/${appName}`)).body.data.display_name, 'Admin UI test', 'the app exists')
    await row.getByRole('button', { name: 'Select' }).click()
    await page.waitForURL(new RegExp(`/admin/app/${appName}/entities$`), WAIT)
    t.equal(await page.getByTestId('current-app').textContent(), appName)
  })

  await t.test('create the customer entity: enum, boolean default, unique, slug, timestamps', async (t) => {
    await page.getByRole('link', { name: 'New entity' }).click()
    await page.fill('input[name=entity-name]', 'customer')
    await page.fill('input[name=entity-table]', 'customers')
    await addField(page, 1, { name: 'name', type: 'string', required: true, options: { 'field-max-length': '120' } })
    await addField(page, 2, { name: 'email', type: 'string', unique: true })
    await addField(page, 3, { name: 'tier', type: 'string', options: { 'field-enum': 'gold, silver', 'field-default': 'silver' } })
    await addField(page, 4, { name: 'vip', type: 'boolean', options: { 'field-default': 'false' } })
    await addField(page, 5, { name: 'handle', type: 'string' })
    await page.locator('input[name=timestamps]').check()
    await page.locator('input[name=slug-enabled]').check()
    await page.locator('select[name=slug-field]').selectOption('handle')
    await page.locator('select[name=slug-source]').selectOption('name')
    await page.getByRole('button', { name: 'Create entity' }).click()
    await expectToast(page, 'Entity customer saved')
    await page.waitForURL(/\/entities\/customer$/, WAIT)

    const def = (await api(`/api/${appName}/_admin/entities/customer`)).body.data
    t.equal(def.table, 'customers')
    t.same(def.primary_key, { field: 'id', type: 'uuid', generated: true })
    t.same(def.slug, { field: 'handle', source: 'name', regenerate_on_update: false })
    const byName = Object.fromEntries(def.fields.map((f: { name: string }) => [f.name, f]))
    t.match(byName.name, { type: 'string', required: true, max_length: 120 })
    t.match(byName.email, { type: 'string', unique: true })
    t.match(byName.tier, { enum: ['gold', 'silver'], default: 'silver' })
    t.match(byName.vip, { type: 'boolean', default: false })
    t.match(byName.created_at, { type: 'timestamp', auto: 'create' })
    t.match(byName.updated_at, { type: 'timestamp', auto: 'update' })
  })

  await t.test('create the invoice entity: decimal, date, timestamp, json, file, soft delete', async (t) => {
    await page.getByRole('link', { name: 'Entities', exact: true }).click()
    await page.getByRole('link', { name: 'New entity' }).click()
    await page.fill('input[name=entity-name]', 'invoice')
    await addField(page, 1, { name: 'number', type: 'string', required: true, unique: true })
    await addField(page, 2, { name: 'total', type: 'decimal', options: { 'field-precision': '2' } })
    await addField(page, 3, { name: 'status', type: 'string', options: { 'field-enum': 'draft, sent, paid', 'field-default': 'draft' } })
    await addField(page, 4, { name: 'issued_on', type: 'date' })
    await addField(page, 5, { name: 'paid_at', type: 'timestamp' })
    await addField(page, 6, { name: 'meta', type: 'json' })
    await addField(page, 7, { name: 'attachment', type: 'file' })
    await addField(page, 8, { name: 'customer_id', type: 'uuid' })
    await addField(page, 9, { name: 'lines', type: 'int', options: { 'field-default': '1' } })
    await page.locator('input[name=soft-delete]').check()
    await screenshot(page, 'admin-entity-editor.png')
    await page.getByRole('button', { name: 'Create entity' }).click()
    await expectToast(page, 'Entity invoice saved')

    const def = (await api(`/api/${appName}/_admin/entities/invoice`)).body.data
    t.equal(def.soft_delete, true)
    const types = Object.fromEntries(def.fields.map((f: { name: string, type: string }) => [f.name, f.type]))
    t.same(types, { id: 'uuid', number: 'string', total: 'decimal', status: 'string', issued_on: 'date', paid_at: 'timestamp', meta: 'json', attachment: 'file', customer_id: 'uuid', lines: 'int', deleted_at: 'timestamp' })
    t.match(def.fields.find((f: { name: string }) => f.name === 'total'), { precision: 2 })
    t.match(def.fields.find((f: { name: string }) => f.name === 'lines'), { default: 1 })
  })

  await t.test('a 422 on save is shown with its message, next to the field it names', async (t) => {
    // The invoice editor is open after the create: make the decimal's precision out of range.
    await page.waitForURL(/\/entities\/invoice$/, WAIT)
    const row = page.getByTestId('field-row-2')
    t.equal(await row.locator('input[name=field-name]').inputValue(), 'total', 'the editor shows the stored fields')
    await row.locator('button[name=field-options-toggle]').click()
    await row.locator('input[name=field-precision]').fill('5000')
    await page.getByRole('button', { name: 'Save changes' }).click()
    const panel = page.getByTestId('error-panel')
    await panel.waitFor(WAIT)
    t.match(await panel.textContent(), /VALIDATION_FAILED/, 'the panel names the code')
    t.match(await panel.textContent(), /precision must be <= 1000/, 'and the message')
    const fieldError = row.getByTestId('field-error')
    await fieldError.waitFor(WAIT)
    t.match(await fieldError.textContent(), /precision must be <= 1000/, 'the message is next to the field')
    await screenshot(page, 'admin-entity-422.png')
    const def = (await api(`/api/${appName}/_admin/entities/invoice`)).body.data
    t.match(def.fields.find((f: { name: string }) => f.name === 'total'), { precision: 2 }, 'nothing was changed')

    // A widening (NUMERIC(20,2) → (30,2)) saves; adding a field through the editor adds the column.
    await row.locator('input[name=field-precision]').fill('30')
    await row.locator('input[name=field-scale]').fill('2')
    await addField(page, 10, { name: 'note', type: 'text' })
    // The toast of the create may still be up: wait for this save's answer itself.
    const put = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/_admin/entities/invoice'), WAIT)
    await page.getByRole('button', { name: 'Save changes' }).click()
    t.equal((await put).status(), 200, 'the corrected definition is accepted')
    await page.getByTestId('error-panel').waitFor({ state: 'detached', ...WAIT })
    const saved = (await api(`/api/${appName}/_admin/entities/invoice`)).body.data
    t.match(saved.fields.find((f: { name: string }) => f.name === 'total'), { precision: 30, scale: 2 })
    t.ok(saved.fields.some((f: { name: string, type: string }) => f.name === 'note' && f.type === 'text'), 'the new field is stored')
  })

  await t.test('create a relation, then edit it', async (t) => {
    await page.getByRole('link', { name: 'Relations' }).click()
    const form = page.getByTestId('relation-form')
    await form.locator('input[name=relation-name]').fill('invoices')
    await form.locator('select[name=relation-type]').selectOption('one_to_many')
    await form.locator('select[name=relation-source]').selectOption('customer')
    await form.locator('select[name=relation-target]').selectOption('invoice')
    await form.locator('select[name=relation-target_key]').selectOption('customer_id')
    await form.locator('input[name=relation-inverse_name]').fill('customer')
    await form.locator('select[name=relation-on_delete]').selectOption('restrict')
    await form.getByRole('button', { name: 'Create relation' }).click()
    await expectToast(page, 'Relation invoices saved')
    const row = page.getByTestId('relation-row-invoices')
    await row.waitFor(WAIT)
    t.match(await row.textContent(), /customer → invoice/)
    t.match((await api(`/api/${appName}/_admin/relations/invoices`)).body.data, { type: 'one_to_many', source: 'customer', target: 'invoice', target_key: 'customer_id', inverse_name: 'customer', on_delete: 'restrict' })

    await row.getByRole('button', { name: 'Edit' }).click()
    const edit = page.getByTestId('relation-form')
    t.equal(await edit.locator('select[name=relation-target_key]').inputValue(), 'customer_id', 'the form shows the stored relation')
    await edit.locator('select[name=relation-on_delete]').selectOption('cascade')
    await edit.getByRole('button', { name: 'Save relation' }).click()
    await expectToast(page, 'Relation invoices saved')
    await page.getByTestId('relation-row-invoices').filter({ hasText: 'on delete cascade' }).waitFor(WAIT)
    t.equal((await api(`/api/${appName}/_admin/relations/invoices`)).body.data.on_delete, 'cascade', 'the change is stored')
  })

  await t.test('the entities list shows both; delete an app with confirmation', async (t) => {
    await page.getByRole('link', { name: 'Entities', exact: true }).click()
    await page.getByTestId('entity-row-invoice').waitFor(WAIT)
    t.match(await page.getByTestId('entity-row-invoice').textContent(), /soft delete/)
    t.match(await page.getByTestId('entity-row-customer').textContent(), /slug/)
    await screenshot(page, 'admin-entities.png')

    const doomed = uniqueName('doomed')
    await page.getByRole('link', { name: 'Apps' }).click()
    await page.getByTestId('create-app-form').locator('input[name=name]').fill(doomed)
    await page.getByRole('button', { name: 'Create app' }).click()
    const row = page.getByTestId(`app-row-${doomed}`)
    await row.waitFor(WAIT)
    await row.getByRole('button', { name: 'Delete' }).click()
    const dialog = page.getByRole('dialog', { name: `Delete app ${doomed}?` })
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    t.equal((await api(`/api/_platform/apps/${doomed}`)).statusCode, 200, 'cancel keeps the app')
    await row.getByRole('button', { name: 'Delete' }).click()
    await dialog.getByRole('button', { name: 'Delete' }).click()
    await expectToast(page, `App ${doomed} deleted`)
    await row.waitFor({ state: 'detached', ...WAIT })
    t.equal((await api(`/api/_platform/apps/${doomed}`)).statusCode, 404, 'the app is gone')
    t.equal((await api(`/api/_platform/apps/${appName}`)).statusCode, 200, 'the other app stays')
  })

  t.same(problems, [], 'no CSP violation or page error')
})
