import t from 'tap'
import type { Test } from 'tap'
import { createRecord, deleteRecord, parseRecordId, slugify, updateRecord } from '../../lib/write/index.js'
import { stopTestServer } from '../db-helper.js'
import { failure } from '../fixtures/failure.js'
import { writeFixture, type WriteFixture } from '../fixtures/schema-database.js'

t.teardown(stopTestServer)

const ENTITIES = [
  {
    name: 'invoice',
    table: 'invoices',
    soft_delete: true,
    slug: { field: 'slug', source: 'title' },
    fields: [
      { name: 'number', type: 'string', required: true, unique: true },
      { name: 'title', type: 'string', max_length: 40 },
      { name: 'slug', type: 'string', unique: true },
      { name: 'status', type: 'string', default: 'draft', enum: ['draft', 'sent', 'paid', 'void'] },
      { name: 'total', type: 'decimal', precision: 2 },
      { name: 'count', type: 'int' },
      { name: 'big', type: 'bigint' },
      { name: 'paid', type: 'boolean', default: false },
      { name: 'issued_on', type: 'date' },
      { name: 'due_at', type: 'timestamp' },
      { name: 'meta', type: 'json' },
      { name: 'attachment', type: 'file' },
      { name: 'created_at', type: 'timestamp', auto: 'create' },
      { name: 'updated_at', type: 'timestamp', auto: 'update' }
    ]
  },
  {
    name: 'article',
    table: 'articles',
    slug: { field: 'slug', source: 'title', regenerate_on_update: true },
    fields: [{ name: 'title', type: 'string', required: true }, { name: 'slug', type: 'string', unique: true }, { name: 'body', type: 'text' }]
  },
  { name: 'tag', table: 'tags', primary_key: { field: 'id', type: 'int', generated: true }, fields: [{ name: 'id', type: 'int' }, { name: 'name', type: 'string', required: true }] },
  { name: 'country', table: 'countries', primary_key: { field: 'code', type: 'string' }, fields: [{ name: 'code', type: 'string' }, { name: 'name', type: 'string' }] }
]

async function setup (t: Test): Promise<WriteFixture> {
  return await writeFixture(t, { entities: ENTITIES })
}

t.test('slugify strips accents and symbols', async (t) => {
  t.equal(slugify('Café Crème Brûlée!'), 'cafe-creme-brulee')
  t.equal(slugify('  --Hello,   World--  '), 'hello-world')
  t.equal(slugify('Ångström 2024'), 'angstrom-2024')
  t.equal(slugify('!!!'), '')
})

t.test('create applies defaults, auto timestamps, slug; ignores auto fields in the payload', async (t) => {
  const f = await setup(t)
  const row = await createRecord(f.deps, f.entity('invoice'), {
    number: 'INV-1', title: 'Café Crème Brûlée!', created_at: '2000-01-01T00:00:00Z', deleted_at: '2000-01-01T00:00:00Z'
  })
  t.match(row.id, /^[0-9a-f-]{36}$/)
  t.equal(row.status, 'draft')
  t.equal(row.paid, false)
  t.equal(row.slug, 'cafe-creme-brulee')
  t.ok(row.created_at instanceof Date)
  t.ok(Math.abs((row.created_at as Date).getTime() - Date.now()) < 60_000, 'created_at from the server clock, not the payload')
  t.same(row.updated_at, row.created_at, 'update auto field set on insert')
  t.equal(row.deleted_at, null)
  const second = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-2', title: 'cafe creme brulee' })
  const third = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-3', title: 'CAFÉ crème brûlée' })
  t.equal(second.slug, 'cafe-creme-brulee-2')
  t.equal(third.slug, 'cafe-creme-brulee-3')
  const given = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-4', title: 'Café Crème Brûlée', slug: 'my-own' })
  t.equal(given.slug, 'my-own', 'a client slug is kept')
  await deleteRecord(f.deps, f.entity('invoice'), String(third.id))
  const again = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-5', title: 'Café crème brûlée' })
  t.equal(again.slug, 'cafe-creme-brulee-3', 'soft-deleted slugs are free again')
  const noTitle = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-6' })
  t.equal(noTitle.slug, null)
})

t.test('concurrent creates of the same title get distinct slugs', async (t) => {
  const f = await setup(t)
  const rows = await Promise.all([1, 2, 3, 4, 5].map(async () => await createRecord(f.deps, f.entity('article'), { title: 'Same Title' })))
  t.same(rows.map((r) => r.slug).sort(), ['same-title', 'same-title-2', 'same-title-3', 'same-title-4', 'same-title-5'])
})

t.test('values are converted for every field type', async (t) => {
  const f = await setup(t)
  const fileId = '3f0c1c51-27c4-4c1f-9a43-7c1e1f5d8a10'
  const row = await createRecord(f.deps, f.entity('invoice'), {
    number: 'INV-1',
    total: 12.5,
    count: 3,
    big: '9007199254740993',
    issued_on: '2024-02-29',
    due_at: '2024-03-01T10:00:00+02:00',
    meta: { lines: [1, 2], note: 'x' },
    attachment: fileId.toUpperCase()
  })
  t.equal(row.total, '12.50')
  t.equal(row.count, 3)
  t.equal(row.big, '9007199254740993')
  t.equal(row.issued_on, '2024-02-29')
  t.equal((row.due_at as Date).toISOString(), '2024-03-01T08:00:00.000Z')
  t.same(row.meta, { lines: [1, 2], note: 'x' })
  t.same(row.attachment, { id: fileId }, 'a bare file id is stored as {id}')
  const types = await f.rows('SELECT jsonb_typeof(meta) AS m, jsonb_typeof(attachment) AS a FROM invoices')
  t.same(types[0], { m: 'object', a: 'object' })
  const file = { id: fileId, filename: 'a.pdf', size: 10, mime_type: 'application/pdf', junk: 1 }
  const withFile = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-2', attachment: file, meta: 'just a string' })
  t.same(withFile.attachment, { id: fileId, filename: 'a.pdf', size: 10, mime_type: 'application/pdf' })
  t.equal(withFile.meta, 'just a string')
})

t.test('validation failures are 4xx and leave no rows', async (t) => {
  const f = await setup(t)
  const cases: Array<[unknown, number, string, Array<Record<string, unknown>>]> = [
    [{ title: 'x' }, 422, 'VALIDATION_FAILED', [{ field: 'number', rule: 'required' }]],
    [{ number: 'A', status: 'bogus' }, 422, 'VALIDATION_FAILED', [{ field: 'status', rule: 'enum' }]],
    [{ number: 'A', count: '3' }, 422, 'VALIDATION_FAILED', [{ field: 'count', rule: 'type' }]],
    [{ number: 'A', total: 'abc' }, 422, 'VALIDATION_FAILED', [{ field: 'total' }]],
    [{ number: 'A', title: 'x'.repeat(41) }, 422, 'VALIDATION_FAILED', [{ field: 'title', rule: 'max_length' }]],
    [{ number: 'A', issued_on: '2024-13-01' }, 422, 'VALIDATION_FAILED', [{ field: 'issued_on', rule: 'format' }]],
    [{ number: 'A', attachment: 'not-a-uuid' }, 422, 'VALIDATION_FAILED', [{ field: 'attachment' }]],
    [{ number: null }, 422, 'VALIDATION_FAILED', [{ field: 'number' }]],
    [{ number: 'A', numbr: 'B' }, 400, 'UNKNOWN_FIELD', [{ field: 'numbr', message: /did you mean 'number'/ }]],
    [[{ number: 'A' }], 400, 'INVALID_PAYLOAD', []],
    ['text', 400, 'INVALID_PAYLOAD', []],
    [null, 400, 'INVALID_PAYLOAD', []]
  ]
  for (const [body, status, code, details] of cases) {
    const err = await failure(createRecord(f.deps, f.entity('invoice'), body))
    t.equal(err.statusCode, status, JSON.stringify(body))
    t.equal(err.code, code)
    if (details.length > 0) t.match(err.details, details)
  }
  t.same(await f.rows('SELECT id FROM invoices'), [])
})

t.test('unique violation → 409 naming the field; soft-deleted rows do not count', async (t) => {
  const f = await setup(t)
  const first = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-1' })
  const err = await failure(createRecord(f.deps, f.entity('invoice'), { number: 'INV-1' }))
  t.equal(err.statusCode, 409)
  t.equal(err.code, 'CONFLICT')
  t.match(err.message, /number/)
  t.match(err.details, [{ field: 'number', rule: 'unique' }])
  const other = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-2' })
  const upd = await failure(updateRecord(f.deps, f.entity('invoice'), String(other.id), { number: 'INV-1' }))
  t.equal(upd.statusCode, 409)
  await deleteRecord(f.deps, f.entity('invoice'), String(first.id))
  const reused = await createRecord(f.deps, f.entity('invoice'), { number: 'INV-1' })
  t.equal(reused.number, 'INV-1')
  t.equal((await f.rows('SELECT id FROM invoices')).length, 3)
})

t.test('update is partial; 404 when missing or soft-deleted; slug lookup', async (t) => {
  const f = await setup(t)
  const inv = f.entity('invoice')
  const row = await createRecord(f.deps, inv, { number: 'INV-1', title: 'First Title', total: '10' })
  await new Promise((resolve) => setTimeout(resolve, 5))
  const upd = await updateRecord(f.deps, inv, String(row.id), { title: 'New Title', id: '00000000-0000-4000-8000-000000000000', created_at: '2000-01-01T00:00:00Z' })
  t.equal(upd.id, row.id, 'PK in the body is ignored')
  t.equal(upd.title, 'New Title')
  t.equal(upd.number, 'INV-1', 'untouched fields stay')
  t.equal(upd.total, '10.00')
  t.equal(upd.slug, 'first-title', 'no regeneration without regenerate_on_update')
  t.same(upd.created_at, row.created_at)
  t.ok((upd.updated_at as Date).getTime() > (row.updated_at as Date).getTime(), 'updated_at moves')
  const bySlug = await updateRecord(f.deps, inv, 'first-title', { status: 'sent' })
  t.equal(bySlug.id, row.id)
  t.equal(bySlug.status, 'sent')
  const nullRequired = await failure(updateRecord(f.deps, inv, String(row.id), { number: null }))
  t.equal(nullRequired.statusCode, 422)
  t.match(nullRequired.details, [{ field: 'number' }])
  const badEnum = await failure(updateRecord(f.deps, inv, String(row.id), { status: 'nope' }))
  t.equal(badEnum.statusCode, 422)
  for (const id of ['00000000-0000-4000-8000-000000000000', 'no-such-slug']) {
    const missing = await failure(updateRecord(f.deps, inv, id, { title: 'x' }))
    t.equal(missing.statusCode, 404, id)
    t.equal(missing.code, 'NOT_FOUND')
  }
  await deleteRecord(f.deps, inv, String(row.id))
  const gone = await failure(updateRecord(f.deps, inv, String(row.id), { title: 'x' }))
  t.equal(gone.statusCode, 404)
  t.equal((await f.rows('SELECT title FROM invoices'))[0]?.title, 'New Title')
})

t.test('regenerate_on_update follows the source and never collides with itself', async (t) => {
  const f = await setup(t)
  const art = f.entity('article')
  const a = await createRecord(f.deps, art, { title: 'Hello World' })
  await createRecord(f.deps, art, { title: 'Other' })
  t.equal((await updateRecord(f.deps, art, String(a.id), { body: 'text' })).slug, 'hello-world', 'source unchanged')
  t.equal((await updateRecord(f.deps, art, String(a.id), { title: 'HELLO world!' })).slug, 'hello-world', 'same slug, no -2 against itself')
  t.equal((await updateRecord(f.deps, art, 'hello-world', { title: 'Other' })).slug, 'other-2')
  t.equal((await updateRecord(f.deps, art, String(a.id), { title: 'Third', slug: 'custom' })).slug, 'custom', 'client slug wins')
})

t.test('integer and string primary keys', async (t) => {
  const f = await setup(t)
  const tag = await createRecord(f.deps, f.entity('tag'), { name: 'a' })
  t.equal(typeof tag.id, 'number')
  t.equal((await updateRecord(f.deps, f.entity('tag'), String(tag.id), { name: 'b' })).name, 'b')
  t.equal((await failure(updateRecord(f.deps, f.entity('tag'), 'abc', { name: 'c' }))).statusCode, 404, 'not an int, no slug')
  t.equal((await failure(updateRecord(f.deps, f.entity('tag'), '99999999999', { name: 'c' }))).statusCode, 404, 'out of int range')
  t.equal(parseRecordId(f.entity('tag'), '12')?.field.name, 'id')
  t.equal(parseRecordId(f.entity('tag'), 'x'), null)
  t.equal(parseRecordId(f.entity('invoice'), 'some-slug')?.field.name, 'slug')
  const fr = await createRecord(f.deps, f.entity('country'), { code: 'fr', name: 'France' })
  t.equal(fr.code, 'fr')
  t.equal((await updateRecord(f.deps, f.entity('country'), 'fr', { name: 'République française', code: 'xx' })).code, 'fr')
  const dup = await failure(createRecord(f.deps, f.entity('country'), { code: 'fr' }))
  t.equal(dup.statusCode, 409)
  t.match(dup.details, [{ field: 'code' }])
  t.same(await deleteRecord(f.deps, f.entity('country'), 'fr'), { id: 'fr' })
  t.same(await f.rows('SELECT * FROM countries'), [])
})
