// End to end in Chromium: the business-logic pages on a schema made through the API. A rule
// created in the form refuses a write (checked through the API); the expression tester shows a
// result and a syntax error with its position; a state machine built in the editor draws its
// diagram and refuses a transition it does not define; a workflow with an approval step built in
// the builder is triggered through the API, approved in the monitor and ends completed.
import t from 'tap'
import { createTestApp } from '../helper.js'
import { expectToast, openAdmin, screenshot, signIn, WAIT } from './admin-helper.js'

// Response bodies are read loosely, as a client would.
type Json = Record<string, any>

const INVOICE = {
  name: 'invoice',
  table: 'invoices',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'number', type: 'string', required: true },
    { name: 'total', type: 'int' },
    { name: 'status', type: 'string', enum: ['draft', 'sent', 'paid', 'void'], default: 'draft' },
    { name: 'sent_at', type: 'timestamp' }
  ]
}
const REQUEST = {
  name: 'request',
  table: 'requests',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'title', type: 'string', required: true },
    { name: 'amount', type: 'int' },
    { name: 'status', type: 'string', enum: ['draft', 'pending', 'approved', 'rejected'], default: 'draft' }
  ]
}

t.test('admin UI: rules, expression tester, state machines, workflows', async (t) => {
  const s = await openAdmin(t)
  if (s === null) return
  const { page, base, problems } = s
  const a = await createTestApp(s.app, 'adminlogic')
  for (const payload of [INVOICE, REQUEST]) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload })
    t.equal(res.statusCode, 201, `setup ${payload.name} ${res.body.slice(0, 200)}`)
  }
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Json): Promise<{ status: number, body: Json }> => {
    const res = await a.as(a.admin, { method, url, ...(payload !== undefined ? { payload } : {}) })
    return { status: res.statusCode, body: res.json() as Json }
  }

  await page.goto(`${base}login`)
  await signIn(page, { email: 'platform@localhost', password: 'changeme' })
  await page.waitForURL(/\/admin\/apps$/, WAIT)

  await t.test('a rule made in the form refuses a write with its message', async (t) => {
    await page.goto(`${base}app/${a.name}/rules`)
    const form = page.getByTestId('rule-form')
    await form.locator('select[name=rule-entity]').selectOption('invoice')
    await form.locator('select[name=rule-type]').selectOption('expression')
    await form.locator('textarea[name=rule-expression]').fill('record.total < 0 ||')
    await form.locator('input[name=rule-message]').fill('The total cannot be negative')
    await form.getByRole('button', { name: 'Create rule' }).click()
    const inline = form.getByRole('alert').filter({ hasText: 'definition.expression' }).first()
    await inline.waitFor(WAIT)
    t.match(await inline.textContent(), /definition\.expression/, 'the 422 is shown next to the expression')

    await form.locator('textarea[name=rule-expression]').fill('record.total < 0')
    await form.locator('input[name=rule-priority]').fill('5')
    await form.getByRole('button', { name: 'Create rule' }).click()
    await expectToast(page, 'Rule on invoice saved')
    await page.getByTestId('rules-table').getByText('record.total < 0').waitFor(WAIT)
    const rules = (await call('GET', '/_admin/rules')).body.data as Json[]
    t.match(rules, [{ entity: 'invoice', type: 'expression', hook: 'before_write', priority: 5, active: true, definition: { expression: 'record.total < 0', message: 'The total cannot be negative' } }])

    const refused = await call('POST', '/invoice', { number: 'INV-1', total: -5 })
    t.equal(refused.status, 422, 'the write is refused')
    t.match(refused.body.error, { code: 'VALIDATION_FAILED' })
    t.match(JSON.stringify(refused.body.error), /The total cannot be negative/, 'with the rule message')
    t.equal((await call('POST', '/invoice', { number: 'INV-2', total: 5 })).status, 201, 'a valid write passes')
    await page.evaluate(() => { window.scrollTo(0, 0) })
    await screenshot(page, 'admin-rules-list.png')
  })

  await t.test('the expression tester: a result, then a syntax error with its position', async (t) => {
    const tester = page.getByTestId('expression-tester')
    await tester.locator('textarea[name=tester-expression]').fill("record.total * 2 + len(user.roles) + (old.status == 'draft' ? 100 : 0)")
    await tester.locator('textarea[name=tester-record]').fill('{"total": 20}')
    await tester.locator('textarea[name=tester-old]').fill('{"status": "draft"}')
    await tester.locator('textarea[name=tester-user]').fill('{"id": "u1", "email": "a@b.c", "roles": ["admin", "clerk"]}')
    await tester.getByRole('button', { name: 'Evaluate' }).click()
    await tester.getByTestId('tester-result').filter({ hasText: '142' }).waitFor(WAIT)
    t.equal((await tester.getByTestId('tester-result').textContent())?.trim(), '142')
    await screenshot(page, 'admin-expression-result.png')

    await tester.locator('textarea[name=tester-expression]').fill('record.total > 1 && record.constructor')
    await tester.getByRole('button', { name: 'Evaluate' }).click()
    const caret = tester.getByTestId('tester-caret')
    await caret.waitFor(WAIT)
    t.match(await tester.getByTestId('tester-error').textContent(), /VALIDATION_FAILED/)
    t.match(await caret.textContent(), /\^ position \d+/, 'the caret marks the position')
    await tester.locator('textarea[name=tester-expression]').fill('record.total >')
    await tester.getByRole('button', { name: 'Evaluate' }).click()
    await caret.filter({ hasText: 'position 14' }).waitFor(WAIT)
    t.pass('a syntax error shows its position')
    await screenshot(page, 'admin-expression-error.png')
  })

  await t.test('a rule deleted in the list stops applying', async (t) => {
    await page.goto(`${base}app/${a.name}/rules`)
    const table = page.getByTestId('rules-table')
    await table.getByRole('button', { name: 'Edit' }).click()
    const form = page.getByTestId('rule-form')
    t.equal(await form.locator('textarea[name=rule-expression]').inputValue(), 'record.total < 0', 'the stored rule fills the form')
    await table.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await expectToast(page, 'Rule deleted')
    await table.getByText('No rules yet.').waitFor(WAIT)
    t.equal((await call('POST', '/invoice', { number: 'INV-9', total: -1 })).status, 201, 'the write is accepted again')
  })

  await t.test('a state machine built in the editor: diagram, then a refused transition', async (t) => {
    await page.goto(`${base}app/${a.name}/state-machines`)
    await page.getByRole('button', { name: 'New state machine' }).click()
    const form = page.getByTestId('machine-form')
    await form.locator('select[name=machine-entity]').selectOption('invoice')
    await form.locator('select[name=machine-field]').selectOption('status')
    await form.locator('input[name=machine-initial]').fill('draft')
    const transitions: Array<[string, string, string]> = [['draft', 'sent', ''], ['sent', 'paid', 'record.total > 0'], ['draft, sent', 'void', '']]
    for (const [i, [from, to, guard]] of transitions.entries()) {
      await form.getByRole('button', { name: '+ Add transition' }).click()
      const row = form.getByTestId(`transition-${i}`)
      await row.locator('input[name=transition-from]').fill(from)
      await row.locator('input[name=transition-to]').fill(to)
      if (guard !== '') await row.locator('input[name=transition-guard]').fill(guard)
    }
    const first = form.getByTestId('transition-0')
    await first.getByRole('button', { name: '+ Add action' }).click()
    await first.getByTestId('transition-0-actions-0').locator('input[name=action-field]').fill('sent_at')
    await first.getByTestId('transition-0-actions-0').locator('input[name=action-value]').fill('now')

    const diagram = page.getByTestId('state-diagram')
    await diagram.waitFor(WAIT)
    const states = await diagram.getByTestId('diagram-state').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))
    t.same(states, ['draft', 'sent', 'paid', 'void'], 'every state is drawn')
    const text = await diagram.evaluate((svg) => svg.textContent ?? '')
    for (const name of ['draft', 'sent', 'paid', 'void']) t.match(text, name, `the SVG names ${name}`)
    t.equal(await diagram.getByTestId('diagram-edge').count(), 4, 'one arrow per from → to (a two-state from draws two)')
    t.equal(await diagram.locator('circle').count(), 1, 'the initial state is marked')

    await form.getByRole('button', { name: 'Create state machine' }).click()
    await expectToast(page, 'State machine on invoice.status saved')
    await page.getByTestId('machine-row-invoice-status').waitFor(WAIT)
    await screenshot(page, 'admin-state-machine.png')
    const machines = (await call('GET', '/_admin/state-machines')).body.data as Json[]
    t.match(machines, [{ entity: 'invoice', field: 'status', active: true, definition: { initial: 'draft' } }])
    t.same(machines[0]?.definition.transitions, [
      { from: 'draft', to: 'sent', actions: [{ type: 'set_field', field: 'sent_at', value: 'now' }] },
      { from: 'sent', to: 'paid', guard: 'record.total > 0' },
      { from: ['draft', 'sent'], to: 'void' }
    ])

    const inv = (await call('POST', '/invoice', { number: 'INV-3', total: 10 })).body.data as Json
    t.equal(inv.status, 'draft')
    const skip = await call('PUT', `/invoice/${String(inv.id)}`, { status: 'paid' })
    t.equal(skip.status, 422, 'draft → paid is not a transition')
    t.match(skip.body.error.message, /draft.*paid|paid.*draft/)
    const sent = await call('PUT', `/invoice/${String(inv.id)}`, { status: 'sent' })
    t.equal(sent.status, 200, 'draft → sent is allowed')
    t.ok(sent.body.data.sent_at !== null, 'and its set_field action ran')

    // Reopened from the list, the stored machine fills the editor and the diagram; a guard that does not parse is shown on its input.
    await page.getByTestId('machine-row-invoice-status').getByRole('button', { name: 'Edit' }).click()
    await page.getByTestId('state-diagram').getByTestId('diagram-state').nth(3).waitFor(WAIT)
    t.equal(await form.getByTestId('transition-2').locator('input[name=transition-from]').inputValue(), 'draft, sent')
    await form.getByTestId('transition-1').locator('input[name=transition-guard]').fill('record.total >')
    await form.getByRole('button', { name: 'Save state machine' }).click()
    await form.getByTestId('transition-1').getByRole('alert').filter({ hasText: 'guard' }).waitFor(WAIT)
    t.pass('the guard error is shown on transition #2')
    await form.getByRole('button', { name: 'Close' }).click()
  })

  await t.test('a workflow built in the builder, triggered through the API, approved in the monitor', async (t) => {
    await page.goto(`${base}app/${a.name}/workflows`)
    await page.getByRole('button', { name: 'New workflow' }).click()
    const form = page.getByTestId('workflow-form')
    await form.locator('input[name=workflow-name]').fill('purchase_review')
    await form.locator('select[name=trigger-entity]').selectOption('request')
    await form.locator('select[name=trigger-field]').selectOption('status')
    await form.locator('select[name=trigger-to]').selectOption('pending')
    await form.getByRole('button', { name: '+ Add context value' }).click()
    await form.locator('input[name=context-key]').fill('title')
    await form.locator('input[name=context-expression]').fill('record.title')

    await form.getByRole('button', { name: '+ approval step' }).click()
    await form.getByRole('button', { name: '+ action step' }).click()
    await form.getByRole('button', { name: '+ wait step' }).click()
    const step = (i: number): ReturnType<typeof page.getByTestId> => form.getByTestId(`step-${i}`)
    // Reorder: the wait step moves above the action step, then is removed.
    await step(2).getByRole('button', { name: 'Move up' }).click()
    t.equal(await step(1).locator('input[name=step-id]').inputValue(), 'pause', 'the wait step moved up')
    await step(1).getByRole('button', { name: 'Remove', exact: true }).click()
    t.equal(await form.getByTestId('workflow-steps').locator(':scope > li').count(), 2, 'and was removed')

    await step(1).locator('input[name=step-id]').fill('approve_it')
    await step(1).getByRole('button', { name: '+ Add action' }).click()
    const action = step(1).getByTestId('step-1-actions-0')
    await action.locator('input[name=action-field]').fill('status')
    await action.locator('input[name=action-value]').fill('approved')
    await step(0).locator('input[name=step-role]').fill('manager')
    await step(0).locator('select[name=step-on_approve]').selectOption('approve_it')
    await step(0).locator('select[name=step-on_reject]').selectOption('end')
    await step(0).locator('select[name=step-on_timeout]').selectOption('end')
    await form.getByRole('button', { name: 'Create workflow' }).click()
    const missing = form.getByRole('alert').filter({ hasText: 'on_timeout needs a timeout' }).first()
    await missing.waitFor(WAIT)
    t.pass('an on_timeout without a timeout is refused, shown on the step')
    await step(0).locator('input[name=step-timeout]').fill('48h')
    await form.getByRole('button', { name: 'Create workflow' }).click()
    await expectToast(page, 'Workflow purchase_review saved')
    await page.getByTestId('workflow-row-purchase_review').waitFor(WAIT)
    await screenshot(page, 'admin-workflow-builder.png')

    const wf = ((await call('GET', '/_admin/workflows')).body.data as Json[])[0]
    t.match(wf, { name: 'purchase_review', active: true, trigger: { type: 'state_change', entity: 'request', field: 'status', to: 'pending' }, context: { title: 'record.title' } })
    t.same(wf?.steps, [
      { id: 'review', type: 'approval', assignee: { type: 'role', role: 'manager' }, timeout: '48h', on_approve: { goto: 'approve_it' }, on_reject: { goto: 'end' }, on_timeout: { goto: 'end' } },
      { id: 'approve_it', type: 'action', actions: [{ type: 'set_field', field: 'status', value: 'approved' }] }
    ])

    const req = (await call('POST', '/request', { title: 'Laptop', amount: 900, status: 'pending' })).body.data as Json
    const waiting = (await call('GET', '/_workflows?status=running&waiting_for=approval')).body.data as Json[]
    t.equal(waiting.length, 1, 'the change started an instance that waits for approval')
    const id = String(waiting[0]?.id)

    await page.getByRole('tab', { name: 'Monitor' }).click()
    const row = page.getByTestId(`pending-row-${id}`)
    await row.waitFor(WAIT)
    await row.locator('input[name=decision-comment]').fill('within budget')
    await screenshot(page, 'admin-workflow-monitor.png')
    await row.getByRole('button', { name: 'Approve' }).click()
    await expectToast(page, 'Approved: purchase_review is now completed')
    const detail = page.getByTestId('instance-detail')
    await detail.and(page.locator('[data-status=completed]')).waitFor(WAIT)
    t.ok(await detail.getByTestId('history-entry').filter({ hasText: 'approved' }).count() >= 1, 'the history shows the approval')
    await page.getByTestId('pending-table').getByText('Nothing waits for an approval.').waitFor(WAIT)
    await screenshot(page, 'admin-workflow-instance.png')

    const inst = (await call('GET', `/_workflows/${id}`)).body.data as Json
    t.equal(inst.status, 'completed', 'the instance completed')
    t.match(inst.history.find((h: Json) => h.step === 'review' && h.status === 'approved'), { detail: { comment: 'within budget' } }, 'with the comment')
    t.equal(((await call('GET', `/request/${String(req.id)}`)).body.data as Json).status, 'approved', 'and its action step ran')
  })

  t.same(problems, [], 'no CSP violation or page error')
})
