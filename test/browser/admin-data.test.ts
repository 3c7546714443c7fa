// End to end in Chromium: the data browser on a schema made through the API. Records created
// and edited through generated forms (enum, boolean, date, json), pagination with meta.total,
// sorting by header, the filter builder, nested children written with their parent, an included
// relation, a file uploaded into a file field, deletes (and a refused one). Outcomes checked through the API.
import type { Page } from 'playwright-core'
import t from 'tap'
import { createTestApp } from '../helper.js'
import { expectToast, openAdmin, screenshot, signIn, WAIT } from './admin-helper.js'

const CUSTOMER = {
  name: 'customer',
  table: 'customers',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'name', type: 'string', required: true },
    { name: 'tier', type: 'string', enum: ['gold', 'silver'], default: 'silver' },
    { name: 'vip', type: 'boolean', default: false },
    { name: 'birthday', type: 'date' },
    { name: 'notes', type: 'json' }
  ]
}
const INVOICE = {
  name: 'invoice',
  table: 'invoices',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'number', type: 'string', required: true, unique: true },
    { name: 'total', type: 'decimal', precision: 2 },
    { name: 'status', type: 'string', enum: ['draft', 'sent', 'paid'], default: 'draft' },
    { name: 'attachment', type: 'file' },
    { name: 'customer_id', type: 'uuid' }
  ]
}
const RELATION = { name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', target_key: 'customer_id', inverse_name: 'customer', on_delete: 'restrict' }

/** Waits until the records table's page info reads `text` (the list has been refetched). */
async function pageInfo (page: Page, text: string): Promise<void> {
  await page.getByTestId('page-info').filter({ hasText: text }).waitFor(WAIT)
}

function firstCell (page: Page, field: string): ReturnType<Page['locator']> {
  return page.getByTestId('record-row').first().locator(`[data-field=${field}]`)
}

t.test('admin UI: data browser', async (t) => {
  const s = await openAdmin(t)
  if (s === null) return
  const { page, base, problems } = s
  const a = await createTestApp(s.app, 'admindata')
  for (const [url, payload] of [['/_admin/entities', CUSTOMER], ['/_admin/entities', INVOICE], ['/_admin/relations', RELATION]] as const) {
    const res = await a.as(a.admin, { method: 'POST', url, payload })
    t.equal(res.statusCode, 201, `setup ${url} ${res.body.slice(0, 200)}`)
  }
  for (let i = 1; i <= 30; i++) {
    const res = await a.as(a.admin, { method: 'POST', url: '/customer', payload: { name: `Cust ${String(i).padStart(2, '0')}`, tier: i % 3 === 0 ? 'gold' : 'silver' } })
    t.equal(res.statusCode, 201)
  }
  const get = async (url: string): Promise<any> => (await a.as(a.admin, { method: 'GET', url })).json()
  const acmeId = async (): Promise<string> => (await get('/customer?filter[name.like]=Acme%25')).data[0].id as string

  await page.goto(`${base}login`)
  await signIn(page, { email: 'platform@localhost', password: 'changeme' })
  await page.waitForURL(/\/admin\/apps$/, WAIT)
  await page.goto(`${base}app/${a.name}/data/customer`)
  await pageInfo(page, '1–25 of 30')

  await t.test('create a record through the generated form', async (t) => {
    await page.getByRole('button', { name: 'New record' }).click()
    const form = page.getByTestId('record-form')
    await form.locator('input[name=record-name]').fill('Acme')
    await form.locator('select[name=record-tier]').selectOption('gold')
    await form.locator('select[name=record-vip]').selectOption('true')
    await form.locator('input[name=record-birthday]').fill('2020-05-17')
    await form.locator('textarea[name=record-notes]').fill('{"segment": "b2b", "score": 7}')
    await form.getByRole('button', { name: 'Create' }).click()
    await expectToast(page, 'customer created')
    await pageInfo(page, '1–25 of 31')
    const acme = (await get('/customer?filter[name]=Acme')).data[0]
    t.match(acme, { name: 'Acme', tier: 'gold', vip: true, birthday: '2020-05-17', notes: { segment: 'b2b', score: 7 } }, 'stored with converted values')
  })

  await t.test('paginate with meta.total, sort by header, filter', async (t) => {
    await page.locator('select[name=per-page]').selectOption('10')
    await pageInfo(page, '1–10 of 31')
    t.equal(await page.getByTestId('record-row').count(), 10)
    await page.getByRole('button', { name: 'Next' }).click()
    await pageInfo(page, '11–20 of 31')
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByRole('button', { name: 'Next' }).click()
    await pageInfo(page, '31–31 of 31')
    t.equal(await page.getByTestId('record-row').count(), 1, 'the last page holds the rest')

    await page.locator('button[data-sort=name]').click()
    await pageInfo(page, '1–10 of 31')
    await firstCell(page, 'name').filter({ hasText: /^Acme$/ }).waitFor(WAIT)
    t.equal(await page.locator('th[aria-sort=ascending]').textContent(), 'name▲', 'ascending')
    await page.locator('button[data-sort=name]').click()
    await firstCell(page, 'name').filter({ hasText: 'Cust 30' }).waitFor(WAIT)
    t.pass('a second click sorts descending')

    await page.getByRole('button', { name: '+ Filter' }).click()
    const row = page.getByTestId('filter-row-0')
    await row.locator('select[name=filter-field]').selectOption('name')
    await row.locator('select[name=filter-op]').selectOption('like')
    await row.locator('input[name=filter-value]').fill('Cust 1%')
    await page.getByRole('button', { name: '+ Filter' }).click()
    const second = page.getByTestId('filter-row-1')
    await second.locator('select[name=filter-field]').selectOption('tier')
    await second.locator('select[name=filter-op]').selectOption('eq')
    await second.locator('input[name=filter-value]').fill('gold')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    const expected = await get('/customer?filter[name.like]=Cust%201%25&filter[tier]=gold')
    await pageInfo(page, `1–${expected.meta.total as number} of ${expected.meta.total as number}`)
    const names = await page.getByTestId('record-row').locator('[data-field=name]').allTextContents()
    t.same(names, expected.data.map((r: { name: string }) => r.name).sort().reverse(), 'the rows the API returns for the same filters, sorted')
    await screenshot(page, 'admin-data-filtered.png')
    await page.getByRole('button', { name: 'Clear' }).click()
    await pageInfo(page, '1–10 of 31')
  })

  await t.test('edit a record and add nested children in the same save', async (t) => {
    // The sort is descending from above: a click clears it, the next sorts ascending.
    await page.locator('button[data-sort=name]').click()
    await page.locator('th[aria-sort=descending]').waitFor({ state: 'detached', ...WAIT })
    await page.locator('button[data-sort=name]').click()
    await firstCell(page, 'name').filter({ hasText: /^Acme$/ }).waitFor(WAIT)
    await page.getByTestId('record-row').first().getByRole('button', { name: 'Edit' }).click()
    const form = page.getByTestId('record-form')
    await form.locator('input[name=record-name]').fill('Acme Corp')
    const nested = form.getByTestId('nested-invoices')
    await nested.getByRole('button', { name: '+ Add invoices' }).click()
    await nested.getByRole('button', { name: '+ Add invoices' }).click()
    const first = nested.getByTestId('nested-invoices-row-0')
    await first.locator('input[name=record-number]').fill('INV-1')
    await first.locator('input[name=record-total]').fill('120.50')
    await first.locator('select[name=record-status]').selectOption('sent')
    const second = nested.getByTestId('nested-invoices-row-1')
    await second.locator('input[name=record-number]').fill('INV-2')
    await second.locator('input[name=record-total]').fill('80')
    await screenshot(page, 'admin-record-nested.png')
    await form.getByRole('button', { name: 'Save' }).click()
    await expectToast(page, 'customer saved')
    const acme = (await get(`/customer/${await acmeId()}?include=invoices`)).data
    t.equal(acme.name, 'Acme Corp', 'the field change is stored')
    t.same(acme.invoices.map((i: { number: string, total: string, status: string }) => [i.number, i.total, i.status]).sort(),
      [['INV-1', '120.50', 'sent'], ['INV-2', '80.00', 'draft']], 'both children were created under the parent')
  })

  await t.test('change one child and remove another', async (t) => {
    await firstCell(page, 'name').filter({ hasText: 'Acme Corp' }).waitFor(WAIT)
    await page.getByTestId('record-row').first().getByRole('button', { name: 'Edit' }).click()
    const nested = page.getByTestId('record-form').getByTestId('nested-invoices')
    await nested.getByTestId('nested-invoices-row-1').waitFor(WAIT)
    // Input values are properties, not attributes: find each child's row by reading them.
    const numbers = await nested.locator('input[name=record-number]').evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value))
    const rowOf = (number: string): ReturnType<Page['locator']> => nested.getByTestId(`nested-invoices-row-${numbers.indexOf(number)}`)
    t.same([...numbers].sort(), ['INV-1', 'INV-2'], 'the editor loads the children')
    await rowOf('INV-1').locator('input[name=record-total]').fill('99.90')
    await rowOf('INV-2').getByRole('button', { name: 'Remove' }).click()
    await page.getByTestId('record-form').getByRole('button', { name: 'Save' }).click()
    await expectToast(page, 'customer saved')
    const acme = (await get(`/customer/${await acmeId()}?include=invoices`)).data
    t.same(acme.invoices.map((i: { number: string, total: string }) => [i.number, i.total]), [['INV-1', '99.90']], 'one child updated, the other deleted')
  })

  await t.test('include a relation and expand the children', async (t) => {
    await page.locator('input[name=include-invoices]').check()
    const button = page.getByTestId('record-row').first().locator('button[data-include=invoices]')
    await button.filter({ hasText: '1 invoices' }).waitFor(WAIT)
    await button.click()
    const children = page.getByTestId('children-invoices')
    await children.waitFor(WAIT)
    t.match(await children.textContent(), /"number":"INV-1"/, 'the included child is shown')
  })

  await t.test('upload a file into a file field', async (t) => {
    await page.locator('select[name=entity]').selectOption('invoice')
    await page.waitForURL(/\/data\/invoice$/, WAIT)
    await pageInfo(page, '1–1 of 1')
    await page.getByTestId('record-row').first().getByRole('button', { name: 'Edit' }).click()
    const form = page.getByTestId('record-form')
    await form.locator('input[name=upload-attachment]').setInputFiles({ name: 'receipt.txt', mimeType: 'text/plain', buffer: Buffer.from('paid in full\n') })
    await form.getByTestId('file-input-attachment').getByTestId('file-name').filter({ hasText: 'receipt.txt' }).waitFor(WAIT)
    await form.getByRole('button', { name: 'Save' }).click()
    await expectToast(page, 'invoice saved')
    await firstCell(page, 'attachment').filter({ hasText: 'receipt.txt' }).waitFor(WAIT)
    const invoice = (await get('/invoice?filter[number]=INV-1')).data[0]
    t.match(invoice.attachment, { filename: 'receipt.txt', size: 13, mime_type: 'text/plain' }, 'the file field holds the upload')
    const file = await a.as(a.admin, { method: 'GET', url: `/_files/${invoice.attachment.id as string}` })
    t.equal(file.body, 'paid in full\n', 'and the stored bytes are the uploaded ones')
    await screenshot(page, 'admin-data-invoice.png')
  })

  await t.test('delete a record; a delete the relation restricts shows the error', async (t) => {
    await page.locator('select[name=entity]').selectOption('customer')
    await page.waitForURL(/\/data\/customer$/, WAIT)
    await page.getByRole('button', { name: '+ Filter' }).click()
    await page.getByTestId('filter-row-0').locator('select[name=filter-field]').selectOption('name')
    await page.getByTestId('filter-row-0').locator('input[name=filter-value]').fill('Cust 05')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await pageInfo(page, '1–1 of 1')
    const id = await page.getByTestId('record-row').first().getAttribute('data-id')
    await page.getByTestId('record-row').first().getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await expectToast(page, 'deleted')
    await pageInfo(page, '0–0 of 0')
    t.equal((await a.as(a.admin, { method: 'GET', url: `/customer/${id ?? ''}` })).statusCode, 404, 'the record is gone')

    await page.getByTestId('filter-row-0').locator('input[name=filter-value]').fill('Acme Corp')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await pageInfo(page, '1–1 of 1')
    await page.getByTestId('record-row').first().getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    const error = page.getByTestId('toast-error').filter({ hasText: 'CONFLICT' })
    await error.waitFor(WAIT)
    t.ok(await error.isVisible(), 'restrict: the 409 is shown')
    t.equal((await a.as(a.admin, { method: 'GET', url: `/customer/${await acmeId()}` })).statusCode, 200, 'and the record stays')
  })

  t.same(problems, [], 'no CSP violation or page error')
})
