// End to end in Chromium, the field picker of the permission form (docs/security.md, "Field
// permissions"): fields ticked in the UI are saved on the policy, a user of that role reads only
// them, editing the policy changes them, and a delete policy made alongside carries none.
// Every outcome is checked through the API.
import t from 'tap'
import { createTestApp } from '../helper.js'
import { expectToast, openAdmin, screenshot, signIn, WAIT } from './admin-helper.js'

t.test('admin UI: the permission form picks fields; the saved policy restricts reads to them', async (t) => {
  const s = await openAdmin(t)
  if (s === null) return
  const { page, base, problems } = s
  const a = await createTestApp(s.app, 'adminfields')
  const entity = { name: 'staffer', fields: [{ name: 'name', type: 'string' }, { name: 'team', type: 'string' }, { name: 'salary', type: 'int' }] }
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: entity })).statusCode, 201)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/staffer', payload: { name: 'Ann', team: 'ops', salary: 100 } })).statusCode, 201)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'hr@example.test', password: 'password-123', roles: ['hr'] } })).statusCode, 201)
  const token = (await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'hr@example.test', password: 'password-123' } })).json().data.access_token as string

  await page.goto(`${base}login`)
  await signIn(page, { email: 'platform@localhost', password: 'changeme' })
  await page.waitForURL(/\/admin\/apps$/, WAIT)
  await page.goto(`${base}app/${a.name}/permissions`)
  await page.getByRole('heading', { name: 'Permissions', exact: true }).waitFor(WAIT)

  const form = page.getByTestId('permission-form')
  await form.locator('select[name=permission-entity]').selectOption('staffer')
  await form.getByTestId('permission-fields').waitFor(WAIT)
  await form.locator('input[name=permission-action-delete]').check()
  await form.locator('input[name=permission-roles]').fill('hr')
  await form.locator('input[name=permission-field-name]').check()
  await form.locator('input[name=permission-field-team]').check()
  await form.getByRole('button', { name: 'Create policy' }).click()
  await expectToast(page, '2 policies saved')
  const row = page.getByTestId('permission-row-staffer-read')
  await row.waitFor(WAIT)
  t.match(await row.textContent(), /name, team/, 'the table shows the picked fields')

  const saved = (await a.as(a.admin, { url: '/_admin/permissions?entity=staffer' })).json().data as Array<{ action: string, fields: string[] | null }>
  t.same(saved.map((p) => [p.action, p.fields]).sort(), [['delete', null], ['read', ['name', 'team']]], 'saved: read with the picked fields, delete without')
  const read = await a.as(token, { url: '/staffer' })
  t.equal(read.statusCode, 200, read.body)
  t.same(Object.keys(read.json().data[0]).sort(), ['id', 'name', 'team'], 'the role reads only the picked fields')
  t.equal((await a.as(token, { url: '/staffer?sort=salary' })).statusCode, 403, 'and cannot sort on the others')
  await screenshot(page, 'admin-field-permissions.png')

  await row.getByRole('button', { name: 'Edit' }).click()
  const team = form.locator('input[name=permission-field-team]')
  await team.waitFor(WAIT)
  t.ok(await team.isChecked(), 'editing shows the stored fields ticked')
  await team.uncheck()
  await form.locator('input[name=permission-field-salary]').check()
  await form.getByRole('button', { name: 'Save policy' }).click()
  await expectToast(page, 'Policy saved')
  await page.getByTestId('permission-row-staffer-read').filter({ hasText: 'name, salary' }).waitFor(WAIT)
  const edited = (await a.as(a.admin, { url: '/_admin/permissions?entity=staffer' })).json().data.find((p: { action: string }) => p.action === 'read')
  t.same(edited.fields, ['name', 'salary'], 'the edit is saved')
  t.same(Object.keys((await a.as(token, { url: '/staffer' })).json().data[0]).sort(), ['id', 'name', 'salary'])

  await page.getByTestId('permission-row-staffer-read').getByRole('button', { name: 'Edit' }).click()
  await form.getByRole('button', { name: 'every field' }).click()
  await form.getByRole('button', { name: 'Save policy' }).click()
  await expectToast(page, 'Policy saved')
  await page.getByTestId('permission-row-staffer-read').filter({ hasText: 'every field' }).waitFor(WAIT)
  t.equal((await a.as(a.admin, { url: '/_admin/permissions?entity=staffer' })).json().data.find((p: { action: string }) => p.action === 'read').fields, null, 'nothing ticked: every field')
  t.same(problems, [], 'no CSP violation or script error')
})
