// End to end in Chromium: the query-power controls of the admin UI (docs/QUERYING.md). In the
// data browser: the search box (search=), OR groups in the filter builder, the field picker
// (fields=) and the aggregate view (_aggregate); in the entity editor: the searchable checkbox
// and the indexes editor with each index's build status. Outcomes checked through the API.
import type { Page } from 'playwright-core'
import t from 'tap'
import { createTestApp } from '../helper.js'
import { expectToast, openAdmin, screenshot, signIn, WAIT } from './admin-helper.js'

const DOC = {
  name: 'doc',
  table: 'docs',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'title', type: 'string', required: true, searchable: true },
    { name: 'status', type: 'string' },
    { name: 'amount', type: 'decimal', precision: 10, scale: 2 },
    { name: 'body', type: 'text' }
  ]
}
const DOCS = [
  ['alpha report', 'open', '10'], ['beta report', 'open', '20'], ['alpha memo', 'closed', '5'],
  ['gamma memo', 'closed', '7.5'], ['delta plan', 'draft', '1'], ['alpha plan', 'draft', '2']
] as const

async function pageInfo (page: Page, text: string): Promise<void> {
  await page.getByTestId('page-info').filter({ hasText: text }).waitFor(WAIT)
}

async function titles (page: Page): Promise<string[]> {
  return (await page.getByTestId('record-row').locator('[data-field=title]').allTextContents()).sort()
}

t.test('admin UI: search, OR groups, field picker, aggregates, searchable fields and indexes', async (t) => {
  const s = await openAdmin(t)
  if (s === null) return
  const { page, base, problems } = s
  const a = await createTestApp(s.app, 'adminquery')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: DOC })).statusCode, 201, 'entity created')
  for (const [title, status, amount] of DOCS) {
    t.equal((await a.as(a.admin, { method: 'POST', url: '/doc', payload: { title, status, amount } })).statusCode, 201)
  }
  const get = async (url: string): Promise<any> => {
    const res = await a.as(a.admin, { method: 'GET', url })
    t.equal(res.statusCode, 200, `GET ${url}`)
    return res.json()
  }
  const apiTitles = (body: { data: Array<{ title: string }> }): string[] => body.data.map((r) => r.title).sort()

  await page.goto(`${base}login`)
  await signIn(page, { email: 'platform@localhost', password: 'changeme' })
  await page.waitForURL(/\/admin\/apps$/, WAIT)
  await page.goto(`${base}app/${a.name}/data/doc`)
  await pageInfo(page, '1–6 of 6')

  await t.test('search box: search= over the searchable title', async (t) => {
    await page.locator('input[name=search]').fill('alpha')
    await page.getByTestId('search-box').getByRole('button', { name: 'Search' }).click()
    await pageInfo(page, '1–3 of 3')
    const expected = await get('/doc?search=alpha')
    t.same(await titles(page), apiTitles(expected), 'the rows search= returns')
    t.same(apiTitles(expected), ['alpha memo', 'alpha plan', 'alpha report'])
    await page.locator('input[name=search]').fill('')
    await page.getByTestId('search-box').getByRole('button', { name: 'Search' }).click()
    await pageInfo(page, '1–6 of 6')
  })

  await t.test('filter builder: two OR branches', async (t) => {
    await page.getByRole('button', { name: '+ Filter' }).click()
    const first = page.getByTestId('filter-row-0')
    await first.locator('select[name=filter-field]').selectOption('status')
    await first.locator('input[name=filter-value]').fill('open')
    await first.locator('select[name=filter-group]').selectOption('0')
    await page.getByRole('button', { name: '+ Filter' }).click()
    const second = page.getByTestId('filter-row-1')
    await second.locator('select[name=filter-field]').selectOption('amount')
    await second.locator('select[name=filter-op]').selectOption('lt')
    await second.locator('input[name=filter-value]').fill('3')
    await second.locator('select[name=filter-group]').selectOption('1')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await pageInfo(page, '1–4 of 4')
    const expected = await get('/doc?filter[or][0][status]=open&filter[or][1][amount.lt]=3')
    t.same(await titles(page), apiTitles(expected), 'the rows the API returns for the same OR group')
    t.same(apiTitles(expected), ['alpha plan', 'alpha report', 'beta report', 'delta plan'])
    await screenshot(page, 'admin-query-or.png')
    await page.getByRole('button', { name: 'Clear' }).click()
    await pageInfo(page, '1–6 of 6')
  })

  await t.test('field picker: fields= shows the picked columns and the key', async (t) => {
    await page.locator('input[name=field-title]').check()
    await page.locator('button[data-sort=amount]').waitFor({ state: 'detached', ...WAIT })
    const headers = await page.locator('button[data-sort]').evaluateAll((els) => els.map((el) => el.getAttribute('data-sort')))
    const expected = await get('/doc?fields=title&per_page=1')
    t.same(headers.sort(), Object.keys(expected.data[0]).sort(), 'the columns fields=title returns')
    t.same(Object.keys(expected.data[0]).sort(), ['id', 'title'])
    await page.getByTestId('field-picker').getByRole('button', { name: 'All fields' }).click()
    await page.locator('button[data-sort=amount]').waitFor(WAIT)
  })

  await t.test('aggregate view: group by status, count and sum of amount', async (t) => {
    const view = page.getByTestId('aggregate-view')
    await view.locator('select[name=aggregate-group-by]').selectOption('status')
    await view.locator('select[name=aggregate-sum]').selectOption('amount')
    await view.getByRole('button', { name: 'Group and count' }).click()
    await view.getByTestId('aggregate-row').nth(2).waitFor(WAIT)
    const shown = await view.getByTestId('aggregate-row').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((c) => c.textContent)))
    const expected = await get('/doc/_aggregate?group_by=status&count=*&sum=amount')
    t.same(shown, expected.data.map((g: { status: string, count: number, sum: { amount: string } }) => [g.status, String(g.count), g.sum.amount]), 'the groups _aggregate returns')
    t.same(expected.data.map((g: { status: string, count: number }) => [g.status, g.count]), [['closed', 2], ['draft', 2], ['open', 2]])
    await screenshot(page, 'admin-query-aggregate.png')
  })

  await t.test('entity editor: searchable checkbox and an index with its status', async (t) => {
    await page.goto(`${base}app/${a.name}/entities/doc`)
    const bodyRow = page.getByTestId('field-row-4')
    await bodyRow.locator('button[name=field-options-toggle]').click()
    await bodyRow.locator('input[name=field-searchable]').check()
    const titleRow = page.getByTestId('field-row-1')
    await titleRow.locator('button[name=field-options-toggle]').click()
    t.equal(await titleRow.locator('input[name=field-searchable]').isChecked(), true, 'the stored flag is shown')
    const editor = page.getByTestId('indexes-editor')
    await editor.getByRole('button', { name: '+ Index' }).click()
    await editor.getByTestId('index-row-0').locator('input[name=index-fields]').fill('status, -amount')
    await editor.getByTestId('index-row-0').locator('input[name=index-fields]').press('Tab')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await expectToast(page, 'Entity doc saved')
    const def = (await get('/_admin/entities/doc')).data
    t.equal(def.fields.find((f: { name: string }) => f.name === 'body').searchable, true, 'body is searchable now')
    t.same(def.indexes.map((ix: { fields: string[], unique?: boolean }) => [ix.fields, ix.unique === true]), [[['status', '-amount'], false]], 'the index is declared')
    // Built after the change commits: follow the status until the catalog says ready.
    const status = editor.getByTestId('index-row-0').getByTestId('index-status')
    for (let i = 0; i < 30 && await status.getAttribute('data-status') !== 'ready'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300))
      await editor.getByRole('button', { name: 'Refresh status' }).click()
    }
    t.equal(await status.getAttribute('data-status'), 'ready', 'the editor shows the index ready')
    t.same((await get('/_admin/entities/doc/indexes')).data.map((ix: { status: string }) => ix.status), ['ready'], 'and so does the API')
    const gamma = (await get('/doc?filter[title]=gamma%20memo')).data[0].id as string
    t.equal((await a.as(a.admin, { method: 'PUT', url: `/doc/${gamma}`, payload: { body: 'quarterly figures' } })).statusCode, 200)
    t.same(apiTitles(await get('/doc?search=quarterly')), ['gamma memo'], 'search= finds words of the newly searchable field')
    await screenshot(page, 'admin-query-indexes.png')
  })

  await t.test('entity editor: an index on an unknown field is refused with the API error', async (t) => {
    const editor = page.getByTestId('indexes-editor')
    await editor.getByRole('button', { name: '+ Index' }).click()
    await editor.getByTestId('index-row-1').locator('input[name=index-fields]').fill('nope')
    await editor.getByTestId('index-row-1').locator('input[name=index-fields]').press('Tab')
    await page.getByRole('button', { name: 'Save changes' }).click()
    const panel = page.getByTestId('error-panel').filter({ hasText: /nope/ })
    await panel.first().waitFor(WAIT)
    t.match(await panel.first().textContent(), /nope/, 'the 422 names the unknown field')
    t.same((await get('/_admin/entities/doc')).data.indexes.map((ix: { fields: string[] }) => ix.fields), [['status', '-amount']], 'nothing was stored')
  })

  t.same(problems, [], 'no CSP violation or script error')
})
