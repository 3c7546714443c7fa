import t, { type Test } from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { adminCreate, appContext, dataOf, defineSchema, detailsOf, expectRefused, type RefusedDefinition, type Row } from './business-fixtures.js'

/** customer 1—n invoice 1—n invoice_item (cascade). */
const SCHEMA = {
  entities: [
    { name: 'customer', table: 'customers', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string', required: true }] },
    {
      name: 'invoice',
      table: 'invoices',
      fields: [
        { name: 'id', type: 'uuid' },
        { name: 'number', type: 'string', required: true },
        { name: 'code', type: 'string' },
        { name: 'notes', type: 'text' },
        { name: 'status', type: 'string', default: 'draft' },
        { name: 'discount', type: 'int' },
        { name: 'total', type: 'decimal', precision: 2 },
        { name: 'item_count', type: 'int' },
        { name: 'start_date', type: 'date' },
        { name: 'end_date', type: 'date' },
        { name: 'customer_id', type: 'uuid' }
      ]
    },
    {
      name: 'invoice_item',
      table: 'invoice_items',
      fields: [
        { name: 'id', type: 'uuid' },
        { name: 'invoice_id', type: 'uuid', required: true },
        { name: 'description', type: 'string', required: true },
        { name: 'quantity', type: 'int', default: 1 },
        { name: 'unit_price', type: 'decimal', precision: 2 },
        { name: 'status', type: 'string', default: 'active' }
      ]
    }
  ],
  relations: [
    { name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', source_key: 'id', target_key: 'customer_id', on_delete: 'restrict', inverse_name: 'customer' },
    { name: 'items', type: 'one_to_many', source: 'invoice', target: 'invoice_item', source_key: 'id', target_key: 'invoice_id', on_delete: 'cascade', inverse_name: 'invoice' }
  ]
}

async function setup (t: Test): Promise<TestApp> {
  const app = await build(t)
  const a = await createTestApp(app, 'rules')
  await defineSchema(t, a, SCHEMA)
  return a
}

const rule = (entity: string, type: string, definition: Row, extra: Row = {}): Row => ({ entity, type, definition, ...extra })

t.test('rule CRUD: list with entity filter, get, partial update, delete, 404s', async (t) => {
  const a = await setup(t)
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/rules', payload: rule('invoice', 'field', { field: 'number', operator: 'min_length', value: 3 }) })
  const r = dataOf(t, created, 201)
  t.match(r, { entity: 'invoice', hook: 'before_write', type: 'field', priority: 0, active: true, definition: { field: 'number', operator: 'min_length', value: 3 } })
  t.ok(typeof r.id === 'string')
  await adminCreate(a, 'rules', rule('invoice_item', 'field', { field: 'quantity', operator: 'min', value: 1 }))
  t.equal((dataOf(t, await a.as(a.admin, { url: '/_admin/rules' })) as unknown as Row[]).length, 2)
  const filtered = dataOf(t, await a.as(a.admin, { url: '/_admin/rules?entity=invoice_item' })) as unknown as Row[]
  t.same(filtered.map((x) => x.entity), ['invoice_item'])
  t.equal(dataOf(t, await a.as(a.admin, { url: `/_admin/rules/${String(r.id)}` })).id, r.id)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'AB' } })).statusCode, 422, 'enforced once saved')
  const updated = dataOf(t, await a.as(a.admin, { method: 'PUT', url: `/_admin/rules/${String(r.id)}`, payload: { active: false } }))
  t.match(updated, { active: false, definition: { operator: 'min_length' } }, 'PUT merges over the stored rule')
  const roundTrip = await a.as(a.admin, { method: 'PUT', url: `/_admin/rules/${String(r.id)}`, payload: { ...updated, priority: 4 } })
  t.equal(dataOf(t, roundTrip).priority, 4, 'a GET result can be sent back (id and timestamps are ignored)')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'AB' } })).statusCode, 201, 'inactive rules are not enforced')
  const bad = await a.as(a.admin, { method: 'PUT', url: `/_admin/rules/${String(r.id)}`, payload: { definition: { field: 'nope', operator: 'min', value: 1 } } })
  expectError(t, bad, 422, 'VALIDATION_FAILED')
  t.same(dataOf(t, await a.as(a.admin, { method: 'DELETE', url: `/_admin/rules/${String(r.id)}` })), { id: r.id })
  expectError(t, await a.as(a.admin, { url: `/_admin/rules/${String(r.id)}` }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: `/_admin/rules/${String(r.id)}` }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { url: '/_admin/rules/not-a-uuid' }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: '/_admin/rules/123', payload: { active: true } }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: '/_admin/rules/%27x' }), 404, 'NOT_FOUND')
})

t.test('saving refuses bad definitions with 422 and names the problem', async (t) => {
  const a = await setup(t)
  // A body that is not a JSON object is malformed, as on every route (docs/reference.md, "Errors").
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/rules', payload: [1] }), 400, 'INVALID_PAYLOAD')
  const cases: RefusedDefinition[] = [
    { name: 'unknown entity', body: rule('invoize', 'field', { field: 'number', operator: 'min_length', value: 1 }), field: 'entity' },
    { name: 'unknown hook', body: rule('invoice', 'field', { field: 'number', operator: 'min_length', value: 1 }, { hook: 'after_write' }), field: 'hook' },
    { name: 'unknown type', body: rule('invoice', 'trigger', {}), field: 'type' },
    { name: 'bad priority', body: rule('invoice', 'field', { field: 'number', operator: 'min_length', value: 1 }, { priority: 1.5 }), field: 'priority' },
    { name: 'unknown top-level key', body: rule('invoice', 'field', { field: 'number', operator: 'min_length', value: 1 }, { stop: true }), field: 'stop' },
    { name: 'unknown field', body: rule('invoice', 'field', { field: 'numbr', operator: 'min_length', value: 1 }), field: 'definition.field' },
    { name: 'unknown operator', body: rule('invoice', 'field', { field: 'number', operator: 'between', value: 1 }), field: 'definition.operator' },
    { name: 'min on a string field', body: rule('invoice', 'field', { field: 'number', operator: 'min', value: 1 }), field: 'definition.operator' },
    { name: 'min_length without an integer', body: rule('invoice', 'field', { field: 'number', operator: 'min_length', value: 'x' }), field: 'definition.value' },
    { name: 'pattern that does not compile', body: rule('invoice', 'field', { field: 'number', operator: 'pattern', value: '([a-z' }), field: 'definition.value' },
    { name: 'unknown definition key', body: rule('invoice', 'expression', { expression: 'true', stop_on_failure: true }), field: 'definition.stop_on_failure' },
    { name: 'expression syntax', body: rule('invoice', 'expression', { expression: 'record.discount > ', message: 'm' }), field: 'definition.expression', position: 18 },
    { name: 'forbidden member', body: rule('invoice', 'expression', { expression: 'record.constructor', message: 'm' }), field: 'definition.expression', position: 7 },
    { name: 'unknown related relation', body: rule('invoice', 'expression', { expression: 'true', related_load: ['lines'] }), field: 'definition.related_load[0].relation' },
    { name: 'bad related filter field', body: rule('invoice', 'expression', { expression: 'true', related_load: [{ relation: 'items', filter: { colour: 'red' } }] }), field: 'definition.related_load[0].filter.colour' },
    { name: 'bad related filter operator', body: rule('invoice', 'expression', { expression: 'true', related_load: [{ relation: 'items', filter: { 'quantity.around': 3 } }] }), field: 'definition.related_load[0].filter.quantity.around' },
    { name: 'computed on before_delete', body: rule('invoice', 'computed', { field: 'total', expression: '1' }, { hook: 'before_delete' }), field: 'hook' },
    { name: 'computed into the primary key', body: rule('invoice', 'computed', { field: 'id', expression: '1' }), field: 'definition.field' },
    { name: 'computed expression syntax', body: rule('invoice', 'computed', { field: 'total', expression: 'sum(related.items, ' }), field: 'definition.expression' }
  ]
  await expectRefused(t, a, 'rules', cases)
})

t.test('field rules: every operator, skipped when absent or null', async (t) => {
  const a = await setup(t)
  await adminCreate(a, 'rules', rule('invoice', 'field', { field: 'discount', operator: 'min', value: 0, message: 'Discount cannot be negative' }))
  await adminCreate(a, 'rules', rule('invoice', 'field', { field: 'discount', operator: 'max', value: 50 }))
  await adminCreate(a, 'rules', rule('invoice', 'field', { field: 'number', operator: 'min_length', value: 3 }))
  await adminCreate(a, 'rules', rule('invoice', 'field', { field: 'number', operator: 'max_length', value: 8 }))
  await adminCreate(a, 'rules', rule('invoice', 'field', { field: 'code', operator: 'pattern', value: '^[A-Z]{2}-\\d+$', message: 'Code looks like AB-12' }))
  await adminCreate(a, 'rules', rule('invoice_item', 'field', { field: 'unit_price', operator: 'min', value: 0.5 }))
  const post = async (payload: Row): Promise<ReturnType<TestApp['as']>> => await a.as(a.admin, { method: 'POST', url: '/invoice', payload })
  const table: Array<[Row, string | null, string?]> = [
    [{ number: 'INV-1', discount: -1 }, 'discount', 'Discount cannot be negative'],
    [{ number: 'INV-1', discount: 51 }, 'discount', 'discount must be at most 50'],
    [{ number: 'I1' }, 'number', 'number must be at least 3 characters long'],
    [{ number: 'INV-00001' }, 'number'],
    [{ number: 'INV-1', code: 'ab-12' }, 'code', 'Code looks like AB-12'],
    [{ number: 'INV-1', discount: 0, code: 'AB-12' }, null],
    [{ number: 'INV-2', discount: 50 }, null],
    [{ number: 'INV-3', discount: null, code: null }, null]
  ]
  for (const [payload, field, message] of table) {
    const res = await post(payload)
    if (field === null) {
      t.equal(res.statusCode, 201, `${JSON.stringify(payload)} passes: ${res.body.slice(0, 200)}`)
      continue
    }
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.match(detailsOf(res), [{ field }], `${field} fails`)
    if (message !== undefined) t.equal(detailsOf(res)[0]?.message, message)
  }
  const two = await post({ number: 'I1', discount: 99 })
  t.same(detailsOf(two).map((d) => [d.field, d.rule]), [['discount', 'max'], ['number', 'min_length']], 'every failure collected, in priority order')
  t.equal(two.json().error.message, '2 rules failed: discount must be at most 50; number must be at least 3 characters long')
  const id = String(dataOf(t, await post({ number: 'INV-9' }), 201).id)
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/invoice/${id}`, payload: { notes: 'partial update without the ruled fields' } })).statusCode, 200, 'absent fields are skipped on update')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: `/invoice/${id}`, payload: { code: 'nope' } }), 422, 'VALIDATION_FAILED')
  const decimal = await a.as(a.admin, { method: 'POST', url: '/invoice_item', payload: { invoice_id: id, description: 'x', unit_price: '0.49' } })
  expectError(t, decimal, 422, 'VALIDATION_FAILED')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/invoice_item', payload: { invoice_id: id, description: 'x', unit_price: '0.50' } })).statusCode, 201, 'decimal strings compare as numbers')
})

t.test('expression rules: true means violated; priority order; stop_on_fail', async (t) => {
  const a = await setup(t)
  await adminCreate(a, 'rules', rule('invoice', 'expression', { expression: 'record.end_date != null && new Date(record.end_date) < new Date(record.start_date)', message: 'End date must be on or after start date' }, { priority: 2 }))
  await adminCreate(a, 'rules', rule('invoice', 'expression', { expression: "action == 'update' && old.status == 'paid'", message: 'Paid invoices are frozen', stop_on_fail: true }, { priority: 1 }))
  await adminCreate(a, 'rules', rule('invoice', 'expression', { expression: "record.discount > 10 && !('manager' in user.roles) && !('admin' in user.roles)", message: 'Discounts above 10 need a manager' }, { priority: 3 }))
  await adminCreate(a, 'rules', rule('invoice', 'field', { field: 'number', operator: 'min_length', value: 3 }, { priority: 9 }))
  const bad = await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'I', start_date: '2026-03-10', end_date: '2026-03-01' } })
  expectError(t, bad, 422, 'VALIDATION_FAILED')
  t.same(detailsOf(bad).map((d) => d.rule), ['min_length', 'expression'], 'field rules first, then expression rules')
  t.equal(detailsOf(bad)[1]?.message, 'End date must be on or after start date')
  const ok = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-1', start_date: '2026-03-10', end_date: '2026-03-10', discount: 20 } }), 201)
  const id = String(ok.id)
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/invoice/${id}`, payload: { status: 'paid' } })).statusCode, 200, 'old is the current row: not yet paid')
  const frozen = await a.as(a.admin, { method: 'PUT', url: `/invoice/${id}`, payload: { number: 'X', end_date: '2026-01-01' } })
  expectError(t, frozen, 422, 'VALIDATION_FAILED')
  t.same(detailsOf(frozen).map((d) => d.message), ['number must be at least 3 characters long', 'Paid invoices are frozen'], 'stop_on_fail stops after the failing rule')
  t.equal(frozen.json().error.message, '2 rules failed: number must be at least 3 characters long; Paid invoices are frozen')
  const merged = await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-2', start_date: '2026-05-01' } })
  t.equal(merged.statusCode, 201, 'a null end date is not compared')
  const other = String(merged.json().data.id)
  const viaMerge = await a.as(a.admin, { method: 'PUT', url: `/invoice/${other}`, payload: { end_date: '2026-04-01' } })
  expectError(t, viaMerge, 422, 'VALIDATION_FAILED')
  t.equal(detailsOf(viaMerge)[0]?.message, 'End date must be on or after start date', 'record merges the incoming values over the current row')
})

t.test('computed fields: sum over a has_many relation loaded with related_load (filtered)', async (t) => {
  const a = await setup(t)
  await adminCreate(a, 'rules', rule('invoice', 'computed', {
    field: 'total',
    expression: "sum(related.items, 'quantity * unit_price')",
    related_load: [{ relation: 'items', filter: { 'status.in': ['active', 'backorder'] } }]
  }))
  await adminCreate(a, 'rules', rule('invoice', 'computed', { field: 'item_count', expression: 'len(related.items)', related_load: ['items'] }))
  await adminCreate(a, 'rules', rule('invoice', 'computed', { field: 'notes', expression: "'total ' + record.total" }, { priority: 5 }))
  await adminCreate(a, 'rules', rule('invoice_item', 'computed', { field: 'description', expression: 'upper(record.description)' }))
  const created = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-1', total: '999' } }), 201)
  t.equal(created.total, '0.00', 'related lists are empty on create')
  t.equal(created.item_count, 0)
  t.equal(created.notes, 'total 0', 'computed fields see the values computed before them')
  const id = String(created.id)
  for (const item of [
    { description: 'a', quantity: 2, unit_price: '10.25' },
    { description: 'b', quantity: 1, unit_price: '5', status: 'backorder' },
    { description: 'c', quantity: 3, unit_price: '100', status: 'cancelled' }
  ]) {
    const res = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/invoice_item', payload: { ...item, invoice_id: id } }), 201)
    t.equal(res.description, item.description.toUpperCase(), 'child computed field')
  }
  const updated = dataOf(t, await a.as(a.admin, { method: 'PUT', url: `/invoice/${id}`, payload: { code: 'recalc' } }))
  t.equal(updated.total, '25.50', 'cancelled items are filtered out: 2*10.25 + 1*5')
  t.equal(updated.item_count, 3, 'the unfiltered load sees every item')
  t.equal(updated.notes, 'total 25.5')
  await adminCreate(a, 'rules', rule('invoice', 'computed', { field: 'discount', expression: "'not a number'" }))
  const invalid = await a.as(a.admin, { method: 'PUT', url: `/invoice/${id}`, payload: { code: 'again' } })
  expectError(t, invalid, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(invalid), [{ field: 'discount', rule: 'computed' }], 'a computed value must fit its field')
})

t.test('computed fields run only when validation passed', async (t) => {
  const a = await setup(t)
  await adminCreate(a, 'rules', rule('invoice', 'computed', { field: 'discount', expression: '1 / 0 == null ? 5 : 6' }))
  await adminCreate(a, 'rules', rule('invoice', 'expression', { expression: "record.code == 'bad'", message: 'bad code' }))
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-1', code: 'bad' } }), 422, 'VALIDATION_FAILED')
  t.equal(dataOf(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-1' } }), 201).discount, 5)
})

t.test('before_delete rules block a delete with the current row as record', async (t) => {
  const a = await setup(t)
  await adminCreate(a, 'rules', rule('invoice', 'expression', { expression: "record.status == 'paid'", message: 'Paid invoices cannot be deleted' }, { hook: 'before_delete' }))
  await adminCreate(a, 'rules', rule('invoice_item', 'expression', { expression: 'record.quantity > 100', message: 'Bulk lines are kept' }, { hook: 'before_delete' }))
  const paid = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-1', status: 'paid' } }), 201)
  const res = await a.as(a.admin, { method: 'DELETE', url: `/invoice/${String(paid.id)}` })
  expectError(t, res, 422, 'VALIDATION_FAILED')
  t.equal(res.json().error.message, 'Paid invoices cannot be deleted')
  t.equal((await a.as(a.admin, { url: `/invoice/${String(paid.id)}` })).statusCode, 200, 'still there')
  const draft = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-2', items: [{ description: 'bulk', quantity: 500 }] } }), 201)
  const cascaded = await a.as(a.admin, { method: 'DELETE', url: `/invoice/${String(draft.id)}` })
  expectError(t, cascaded, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(cascaded), [{ relation: 'items', index: 0, message: 'Bulk lines are kept' }], 'cascaded children run their own before_delete rules')
  const plain = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-3' } }), 201)
  t.equal((await a.as(a.admin, { method: 'DELETE', url: `/invoice/${String(plain.id)}` })).statusCode, 200)
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/invoice/${String(paid.id)}`, payload: { notes: 'before_write does not run delete rules' } })).statusCode, 200)
})

t.test('nested children run their own entity rules; details name relation and index', async (t) => {
  const a = await setup(t)
  await adminCreate(a, 'rules', rule('invoice_item', 'field', { field: 'quantity', operator: 'min', value: 1, message: 'Quantity must be positive' }))
  await adminCreate(a, 'rules', rule('invoice_item', 'expression', { expression: 'len(record.description) < 2', message: 'Describe the item' }))
  const res = await a.as(a.admin, {
    method: 'POST',
    url: '/invoice',
    payload: { number: 'INV-1', items: [{ description: 'fine', quantity: 1 }, { description: 'zero', quantity: 0 }] }
  })
  expectError(t, res, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(res), [{ field: 'items[1].quantity', relation: 'items', index: 1, rule: 'min', message: 'Quantity must be positive' }])
  t.same(dataOf(t, await a.as(a.admin, { url: '/invoice' })), [], 'nothing written')
  const ok = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-2', items: [{ description: 'ok', quantity: 2 }] } }), 201)
  const upd = await a.as(a.admin, { method: 'PUT', url: `/invoice/${String(ok.id)}`, payload: { items: { _write_mode: 'append', data: [{ description: 'x' }] } } })
  expectError(t, upd, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(upd), [{ field: 'items[0]', relation: 'items', index: 0, rule: 'expression', message: 'Describe the item' }])
})

t.test('rules live in _rules: a reload (as at startup) compiles what the table holds', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'rules')
  await defineSchema(t, a, SCHEMA)
  const ctx = await appContext(app, a)
  await ctx.sql`INSERT INTO _rules (entity, type, definition) VALUES ('invoice', 'field', ${ctx.sql.json({ field: 'number', operator: 'min_length', value: 4 })})`
  await ctx.sql`INSERT INTO _rules (entity, type, definition) VALUES ('invoice', 'field', ${ctx.sql.json({ field: 'removed_field', operator: 'min_length', value: 4 })})`
  await ctx.sql`INSERT INTO _rules (entity, type, definition, active) VALUES ('invoice', 'field', ${ctx.sql.json({ field: 'code', operator: 'min_length', value: 4 })}, false)`
  await ctx.sql`INSERT INTO _rules (entity, type, definition) VALUES ('invoice', 'bogus', ${ctx.sql.json({})})`
  t.equal((await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'ABC' } })).statusCode, 201, 'not compiled yet')
  await ctx.reload()
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'ABC' } }), 422, 'VALIDATION_FAILED')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'ABCD', code: 'x' } })).statusCode, 201, 'inactive rows are not loaded')
  const compiled = ctx.registry.extensions.get('rules') as { skipped: Array<{ message: string }> }
  t.match(compiled.skipped, [{ message: /no field 'removed_field'/ }, { message: /type must be one of/ }], 'rows that do not fit (any more) are skipped, not fatal')
})
