import t from 'tap'
import type { Test } from 'tap'
import { createRecord, updateRecord } from '../../lib/write/index.js'
import { stopTestServer } from '../db-helper.js'
import { failure } from '../fixtures/failure.js'
import { writeFixture, type WriteFixture } from '../fixtures/schema-database.js'

t.teardown(stopTestServer)

const ENTITIES = [
  { name: 'customer', table: 'customers', fields: [{ name: 'name', type: 'string', required: true }] },
  {
    name: 'invoice',
    table: 'invoices',
    soft_delete: true,
    fields: [
      { name: 'number', type: 'string', required: true, unique: true },
      { name: 'title', type: 'string' },
      { name: 'customer_id', type: 'uuid' },
      { name: 'updated_at', type: 'timestamp', auto: 'update' }
    ]
  },
  {
    name: 'invoice_item',
    table: 'invoice_items',
    fields: [
      { name: 'invoice_id', type: 'uuid', required: true },
      { name: 'description', type: 'string', required: true },
      { name: 'quantity', type: 'int', default: 1 },
      { name: 'sku', type: 'string', unique: true }
    ]
  },
  { name: 'item_note', table: 'item_notes', fields: [{ name: 'item_id', type: 'uuid', required: true }, { name: 'body', type: 'string', required: true }] },
  { name: 'profile', table: 'profiles', fields: [{ name: 'customer_id', type: 'uuid' }, { name: 'bio', type: 'text' }] },
  {
    name: 'alias',
    table: 'aliases',
    primary_key: { field: 'code', type: 'string' },
    fields: [{ name: 'code', type: 'string' }, { name: 'customer_id', type: 'uuid' }, { name: 'label', type: 'string', required: true }]
  }
]

const RELATIONS = [
  { name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', target_key: 'customer_id', inverse_name: 'customer', on_delete: 'restrict' },
  { name: 'items', type: 'one_to_many', source: 'invoice', target: 'invoice_item', target_key: 'invoice_id', inverse_name: 'invoice', on_delete: 'cascade' },
  { name: 'notes', type: 'one_to_many', source: 'invoice_item', target: 'item_note', target_key: 'item_id', inverse_name: 'item', on_delete: 'cascade' },
  { name: 'profile', type: 'one_to_one', source: 'customer', target: 'profile', target_key: 'customer_id', inverse_name: 'owner', on_delete: 'cascade' },
  { name: 'aliases', type: 'one_to_many', source: 'customer', target: 'alias', target_key: 'customer_id', inverse_name: 'customer', on_delete: 'cascade' }
]

async function setup (t: Test): Promise<WriteFixture> {
  return await writeFixture(t, { entities: ENTITIES, relations: RELATIONS })
}

t.test('nested create two levels deep propagates FKs', async (t) => {
  const f = await setup(t)
  const inv = await createRecord(f.deps, f.entity('invoice'), {
    number: 'INV-1',
    items: [
      { description: 'Widget', quantity: 2, notes: [{ body: 'fragile' }, { body: 'blue' }] },
      { description: 'Gadget' }
    ]
  })
  t.equal(inv.number, 'INV-1')
  const items = await f.rows('SELECT * FROM invoice_items ORDER BY description')
  t.equal(items.length, 2)
  t.same(items.map((i) => i.invoice_id), [inv.id, inv.id], 'FK propagated to required invoice_id')
  t.same(items.map((i) => i.quantity), [1, 2], 'child default applied')
  const widget = items.find((i) => i.description === 'Widget')
  const notes = await f.rows('SELECT * FROM item_notes ORDER BY body')
  t.same(notes.map((n) => n.body), ['blue', 'fragile'])
  t.ok(notes.every((n) => n.item_id === widget?.id), 'FK propagated at depth 2')
})

t.test('nested validation errors name relation and index; nothing is written', async (t) => {
  const f = await setup(t)
  const err = await failure(createRecord(f.deps, f.entity('invoice'), {
    number: 'INV-1',
    items: [
      { description: 'ok', notes: [{ body: 'fine' }, { body: 5 }] },
      { description: 'bad', quantity: 'two' }
    ]
  }))
  t.equal(err.statusCode, 422)
  t.equal(err.code, 'VALIDATION_FAILED')
  t.match(err.details, [
    { field: 'items[0].notes[1].body', relation: 'notes', index: 1, rule: 'type' },
    { field: 'items[1].quantity', relation: 'items', index: 1, rule: 'type' }
  ])
  t.equal(err.details?.length, 2)
  t.same(await f.rows('SELECT id FROM invoices'), [])
  t.same(await f.rows('SELECT id FROM invoice_items'), [])

  const missing = await failure(createRecord(f.deps, f.entity('invoice'), { number: 'INV-2', items: [{ quantity: 1 }] }))
  t.match(missing.details, [{ field: 'items[0].description', rule: 'required', relation: 'items', index: 0 }])
  t.equal(missing.details?.length, 1, 'the propagated FK is not reported as missing')

  const unknown = await failure(createRecord(f.deps, f.entity('invoice'), { number: 'INV-3', items: [{ description: 'x', descripton: 'y' }] }))
  t.equal(unknown.code, 'UNKNOWN_FIELD')
  t.equal(unknown.statusCode, 400)
  t.match(unknown.details, [{ field: 'items[0].descripton', relation: 'items', index: 0, message: /did you mean 'description'/ }])

  for (const items of ['nope', { _write_mode: 'merge', data: [] }, [1], { data: [], extra: true }]) {
    const shape = await failure(createRecord(f.deps, f.entity('invoice'), { number: 'INV-4', items }))
    t.equal(shape.code, 'INVALID_PAYLOAD', JSON.stringify(items))
    t.equal(shape.statusCode, 400)
  }
  t.same(await f.rows('SELECT id FROM invoices'), [])
})

async function seedInvoice (f: WriteFixture): Promise<{ id: string, a: string, b: string, c: string }> {
  const inv = await createRecord(f.deps, f.entity('invoice'), {
    number: 'INV-1',
    items: [{ description: 'a', notes: [{ body: 'a-note' }] }, { description: 'b' }, { description: 'c', notes: [{ body: 'c-note' }] }]
  })
  const items = await f.rows('SELECT id, description FROM invoice_items')
  const id = (d: string): string => String(items.find((i) => i.description === d)?.id)
  return { id: String(inv.id), a: id('a'), b: id('b'), c: id('c') }
}

async function itemState (f: WriteFixture): Promise<Record<string, number>> {
  const rows = await f.rows('SELECT description, quantity FROM invoice_items ORDER BY description')
  return Object.fromEntries(rows.map((r) => [String(r.description), Number(r.quantity)]))
}

t.test('diff: insert without PK, update with PK, delete marked, leave the rest', async (t) => {
  const f = await setup(t)
  const s = await seedInvoice(f)
  const updated = await updateRecord(f.deps, f.entity('invoice'), s.id, {
    title: 'changed',
    items: { _write_mode: 'diff', data: [{ description: 'new', quantity: 7 }, { id: s.a, quantity: 9 }, { id: s.b, _delete: true }] }
  })
  t.equal(updated.title, 'changed')
  t.same(await itemState(f), { a: 9, c: 1, new: 7 })
  const fresh = await f.rows('SELECT invoice_id FROM invoice_items WHERE description = $1', ['new'])
  t.equal(fresh[0]?.invoice_id, s.id)
  t.equal((await f.rows('SELECT * FROM item_notes')).length, 2, 'notes of untouched items remain')

  // A plain array uses the relation's default write mode (diff).
  await updateRecord(f.deps, f.entity('invoice'), s.id, { items: [{ id: s.c, description: 'c2' }] })
  t.same(await itemState(f), { a: 9, c2: 1, new: 7 })
})

t.test('replace: missing children are deleted (with their cascades)', async (t) => {
  const f = await setup(t)
  const s = await seedInvoice(f)
  await updateRecord(f.deps, f.entity('invoice'), s.id, { items: { _write_mode: 'replace', data: [{ id: s.a }, { description: 'x', quantity: 3 }] } })
  t.same(await itemState(f), { a: 1, x: 3 })
  t.same((await f.rows('SELECT body FROM item_notes')).map((n) => n.body), ['a-note'], "c's note cascaded away")
  await updateRecord(f.deps, f.entity('invoice'), s.id, { items: { _write_mode: 'replace', data: [] } })
  t.same(await itemState(f), {})
  t.same(await f.rows('SELECT body FROM item_notes'), [])
})

t.test('append: insert only, rows with PK ignored, nothing deleted', async (t) => {
  const f = await setup(t)
  const s = await seedInvoice(f)
  await updateRecord(f.deps, f.entity('invoice'), s.id, {
    items: { _write_mode: 'append', data: [{ id: s.a, quantity: 100 }, { id: s.b, _delete: true }, { description: 'y', quantity: 4 }] }
  })
  t.same(await itemState(f), { a: 1, b: 1, c: 1, y: 4 })
})

t.test('a child of another parent is rejected and everything rolls back', async (t) => {
  const f = await setup(t)
  const one = await seedInvoice(f)
  const other = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-2', items: [{ description: 'foreign' }] })
  const foreign = (await f.rows('SELECT id FROM invoice_items WHERE invoice_id = $1', [String(other.id)]))[0]?.id
  const err = await failure(updateRecord(f.deps, f.entity('invoice'), one.id, {
    title: 'should not stick',
    items: [{ description: 'should not be inserted' }, { id: foreign, quantity: 5 }]
  }))
  t.equal(err.statusCode, 422)
  t.match(err.details, [{ relation: 'items', index: 1, rule: 'ownership' }])
  const inv = await f.rows('SELECT title FROM invoices WHERE id = $1', [one.id])
  t.equal(inv[0]?.title, null)
  t.same(await itemState(f), { a: 1, b: 1, c: 1, foreign: 1 })

  const del = await failure(updateRecord(f.deps, f.entity('invoice'), one.id, { items: [{ id: foreign, _delete: true }] }))
  t.match(del.details, [{ relation: 'items', index: 0, rule: 'ownership' }])
  const gone = await failure(updateRecord(f.deps, f.entity('invoice'), one.id, { items: [{ id: '00000000-0000-4000-8000-000000000000', quantity: 2 }] }))
  t.match(gone.details, [{ relation: 'items', index: 0, rule: 'exists' }])
  t.equal((await f.rows('SELECT id FROM invoice_items')).length, 4)
})

t.test('unique violation inside a nested child is a 409 naming field, relation and index', async (t) => {
  const f = await setup(t)
  const err = await failure(createRecord(f.deps, f.entity('invoice'), {
    number: 'INV-1', items: [{ description: 'a', sku: 'S1' }, { description: 'b', sku: 'S1' }]
  }))
  t.equal(err.statusCode, 409)
  t.equal(err.code, 'CONFLICT')
  t.match(err.details, [{ field: 'items[1].sku', relation: 'items', index: 1, rule: 'unique' }])
  t.same(await f.rows('SELECT id FROM invoices'), [])
})

t.test('belongs_to: create or reference the parent and set the FK', async (t) => {
  const f = await setup(t)
  const created = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-1', customer: { name: 'ACME' } })
  const acme = (await f.rows('SELECT id, name FROM customers'))[0]
  t.equal(acme?.name, 'ACME')
  t.equal(created.customer_id, acme?.id, 'parent created first, FK set')

  const other = await createRecord(f.deps, f.entity('customer'), { name: 'Other' })
  const moved = await updateRecord(f.deps, f.entity('invoice'), String(created.id), { customer: { id: other.id, name: 'Other Ltd' } })
  t.equal(moved.customer_id, other.id)
  t.equal((await f.rows('SELECT name FROM customers WHERE id = $1', [String(other.id)]))[0]?.name, 'Other Ltd')

  const ref = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-2', customer: { id: acme?.id } })
  t.equal(ref.customer_id, acme?.id)
  const cleared = await updateRecord(f.deps, f.entity('invoice'), String(ref.id), { customer: null })
  t.equal(cleared.customer_id, null)

  const err = await failure(createRecord(f.deps, f.entity('invoice'), { number: 'INV-3', customer: { id: '00000000-0000-4000-8000-000000000000' } }))
  t.equal(err.statusCode, 422)
  t.match(err.details, [{ relation: 'customer', field: 'customer.id', rule: 'exists' }])
  t.equal((await f.rows('SELECT id FROM invoices')).length, 2)
})

t.test('three levels through belongs_to and has_many in one payload', async (t) => {
  const f = await setup(t)
  const customer = await createRecord(f.deps, f.entity('customer'), {
    name: 'Deep',
    invoices: [{ number: 'D-1', items: [{ description: 'i', notes: [{ body: 'n' }] }] }],
    profile: { bio: 'hello' }
  })
  const inv = await f.rows('SELECT id, customer_id FROM invoices')
  t.equal(inv[0]?.customer_id, customer.id)
  const item = await f.rows('SELECT id, invoice_id FROM invoice_items')
  t.equal(item[0]?.invoice_id, inv[0]?.id)
  const note = await f.rows('SELECT item_id FROM item_notes')
  t.equal(note[0]?.item_id, item[0]?.id)
  t.equal((await f.rows('SELECT customer_id FROM profiles'))[0]?.customer_id, customer.id, 'has_one as a single object')

  // has_one replace: the existing profile is deleted, the new one takes the slot.
  await updateRecord(f.deps, f.entity('customer'), String(customer.id), { profile: { _write_mode: 'replace', data: { bio: 'second' } } })
  t.same((await f.rows('SELECT bio FROM profiles')).map((p) => p.bio), ['second'])
  await updateRecord(f.deps, f.entity('customer'), String(customer.id), { profile: { bio: 'third' } })
  t.same((await f.rows('SELECT bio FROM profiles')).map((p) => p.bio), ['third'], 'a new has_one record replaces the current one in diff mode')
  const profileId = String((await f.rows('SELECT id FROM profiles'))[0]?.id)
  await updateRecord(f.deps, f.entity('customer'), String(customer.id), { profile: { id: profileId, bio: 'edited' } })
  t.same(await f.rows('SELECT id, bio FROM profiles'), [{ id: profileId, bio: 'edited' }], 'with its PK it is updated in place')
  await updateRecord(f.deps, f.entity('customer'), String(customer.id), { profile: { _write_mode: 'replace', data: null } })
  t.same(await f.rows('SELECT id FROM profiles'), [], 'replace with null removes it')
  const two = await failure(updateRecord(f.deps, f.entity('customer'), String(customer.id), { profile: [{ bio: 'x' }, { bio: 'y' }] }))
  t.equal(two.statusCode, 422)
  const back = await failure(createRecord(f.deps, f.entity('customer'), { name: 'Loop', invoices: [{ number: 'L-1', customer: { name: 'x' } }] }))
  t.equal(back.code, 'INVALID_PAYLOAD', 'an item cannot write the relation it is nested under')
})

t.test('orphans are adopted; client-supplied PKs that do not exist are created', async (t) => {
  const f = await setup(t)
  const orphan = await createRecord(f.deps, f.entity('profile'), { bio: 'orphan' })
  const customer = await createRecord(f.deps, f.entity('customer'), { name: 'C', profile: { id: orphan.id }, aliases: [{ code: 'a', label: 'A' }] })
  t.same(await f.rows('SELECT id, customer_id FROM profiles'), [{ id: orphan.id, customer_id: customer.id }], 'an orphan named by PK is attached')
  t.same(await f.rows('SELECT code, customer_id, label FROM aliases'), [{ code: 'a', customer_id: customer.id, label: 'A' }])
  const err = await failure(updateRecord(f.deps, f.entity('customer'), String(customer.id), { aliases: [{ code: 'a', label: 'AA' }, { code: 'b' }] }))
  t.equal(err.statusCode, 422, 'a new string-PK child is validated as a create')
  t.match(err.details, [{ field: 'aliases[1].label', relation: 'aliases', index: 1, rule: 'required' }])
  await updateRecord(f.deps, f.entity('customer'), String(customer.id), { aliases: [{ code: 'a', label: 'AA' }, { code: 'b', label: 'B' }] })
  t.same(await f.rows('SELECT code, label FROM aliases ORDER BY code'), [{ code: 'a', label: 'AA' }, { code: 'b', label: 'B' }])
  const other = await createRecord(f.deps, f.entity('customer'), { name: 'Other' })
  const stolen = await failure(updateRecord(f.deps, f.entity('customer'), String(other.id), { aliases: [{ code: 'a', label: 'mine' }] }))
  t.match(stolen.details, [{ relation: 'aliases', index: 0, rule: 'ownership' }])
})
