// End to end in Chromium: the data browser follows the realtime stream (EventSource with
// ?access_token=). Records created, changed and deleted through the API by someone else show
// up in the open page without a reload.
import t from 'tap'
import { createTestApp } from '../helper.js'
import { openAdmin, screenshot, signIn, WAIT } from './admin-helper.js'

t.test('admin UI: the data browser updates live', async (t) => {
  const s = await openAdmin(t)
  if (s === null) return
  const { page, base, problems } = s
  const a = await createTestApp(s.app, 'adminlive')
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'ticket', fields: [{ name: 'id', type: 'uuid' }, { name: 'subject', type: 'string', required: true }] } })
  t.equal(res.statusCode, 201, res.body)
  const first = (await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { subject: 'Printer on fire' } })).json().data

  await page.goto(`${base}login`)
  await signIn(page, { email: 'platform@localhost', password: 'changeme' })
  await page.waitForURL(/\/admin\/apps$/, WAIT)
  await page.goto(`${base}app/${a.name}/data/ticket`)
  await page.getByTestId('record-row').filter({ hasText: 'Printer on fire' }).waitFor(WAIT)
  await page.locator('[data-testid=live-status][data-status=live]').waitFor(WAIT)

  const created = (await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { subject: 'Coffee machine empty' } })).json().data
  await page.getByTestId('record-row').filter({ hasText: 'Coffee machine empty' }).waitFor(WAIT)
  t.pass('a record created elsewhere appears')

  t.equal((await a.as(a.admin, { method: 'PUT', url: `/ticket/${String(first.id)}`, payload: { subject: 'Printer fixed' } })).statusCode, 200)
  await page.getByTestId('record-row').filter({ hasText: 'Printer fixed' }).waitFor(WAIT)
  t.equal(await page.getByTestId('record-row').filter({ hasText: 'Printer on fire' }).count(), 0, 'a change made elsewhere replaces the old value')

  t.equal((await a.as(a.admin, { method: 'DELETE', url: `/ticket/${String(created.id)}` })).statusCode, 200)
  await page.getByTestId('record-row').filter({ hasText: 'Coffee machine empty' }).waitFor({ ...WAIT, state: 'detached' })
  t.equal(await page.getByTestId('record-row').count(), 1, 'a record deleted elsewhere disappears')
  await screenshot(page, 'admin-realtime.png')
  t.same(problems, [], 'no CSP violation or page error')
})
