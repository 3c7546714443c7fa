import t, { type Test } from 'tap'
import { sameContent } from '../../lib/schema-io/canonical.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { exportDocument } from '../../lib/schema-io/export.js'
import { appContext, userToken } from './business-fixtures.js'
import { loadExample } from '../fixtures/examples.js'
import { importDoc, KINDS, type Doc, type ImportReport as Report } from '../fixtures/schema-import.js'

type Row = Record<string, unknown>

const load = (file: string): Doc => loadExample<Doc>(file)

async function exportDoc (t: Test, a: TestApp, query = ''): Promise<{ body: Row, doc: Doc }> {
  const res = await a.as(a.admin, { url: `/_admin/export${query}` })
  t.equal(res.statusCode, 200, `export: ${res.body.slice(0, 300)}`)
  const body = res.json() as { data: Doc }
  return { body, doc: body.data }
}

const errorsOf = (report: Report): Row[] => [
  ...KINDS.flatMap((k) => report[k]?.errors ?? []),
  ...Object.values(report.sample_data ?? {}).flatMap((s) => s.errors)
]

t.test('export → import into a fresh app → export again: same content', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'exp')
  await importDoc(t, a, load('content-management.json'))
  const ui = await a.as(a.admin, { method: 'POST', url: '/_admin/ui-configs', payload: { entity: 'post', config: { list: { columns: ['title', 'status'] } } } })
  t.equal(ui.statusCode, 201, ui.body)
  const hook = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: { entity: 'tag', hook: 'after_write', url: 'https://hooks.example.com/tags', secret: 's3cret-value' } })
  t.equal(hook.statusCode, 201, hook.body)

  const first = await exportDoc(t, a, '?include_data=true')
  const doc = first.doc
  t.equal(doc.version, 1)
  t.ok(typeof doc.exported_at === 'string', 'exported_at')
  for (const key of KINDS) {
    t.ok(Array.isArray(doc[key]), `${key} is a list`)
    for (const item of doc[key] as Row[]) {
      t.notOk('id' in item || 'created_at' in item || 'updated_at' in item, `${key}: no ids or timestamps`)
    }
  }
  t.notOk(JSON.stringify(doc).includes('s3cret-value'), 'no webhook secret')
  t.notOk((doc.webhooks as Row[]).some((w) => 'secret' in w || 'has_secret' in w), 'no secret key')
  const category = (doc.entities as Array<{ name: string, fields: Row[] }>).find((e) => e.name === 'category')
  t.equal(category?.fields.find((f) => f.name === 'sort_order')?.type, 'integer', 'field types stay as written')
  t.equal(doc.sample_data?.post_tags?.length, 14, 'join rows keyed by relation name')
  t.notOk(doc.sample_data?.post?.some((p) => 'created_at' in p || 'deleted_at' in p), 'sample rows without engine-set timestamps')
  t.match(doc.sample_data?.post?.find((p) => p.id === '40000000-0000-0000-0000-000000000001'), { status: 'published', published_at: '2026-01-15T09:00:00.000Z' })
  t.equal((await exportDoc(t, a)).doc.sample_data, undefined, 'sample_data only on request')
  // The answer is serialized from its declared schema, which drops undeclared keys: nothing may be lost.
  const written = JSON.parse(JSON.stringify(await exportDocument(await appContext(app, a), { includeData: true }))) as Doc
  t.same({ ...doc, exported_at: null }, { ...written, exported_at: null }, 'the declared export schema keeps every key the export writes')

  const b = await createTestApp(app, 'exp')
  const report = await importDoc(t, b, first.body)
  t.same(errorsOf(report), [], 'the export envelope imports as downloaded, without errors')
  for (const key of KINDS) t.equal(report[key]?.created.length, (doc[key] as Row[]).length, `${key}: all created`)
  const again = (await exportDoc(t, b, '?include_data=true')).doc
  for (const key of [...KINDS, 'sample_data']) t.ok(sameContent(again[key], doc[key]), `${key}: same content after the round trip`)

  const reimport = await importDoc(t, a, doc)
  t.same(errorsOf(reimport), [], 'export imported into its own app: no errors')
  t.ok(KINDS.every((k) => reimport[k]?.created.length === 0 && reimport[k]?.skipped.length === (doc[k] as Row[]).length), 'and everything skipped')
})

t.test('malformed documents are refused before anything is imported', async (t) => {
  const a = await createTestApp(await build(t), 'bad')
  const send = async (payload: string): Promise<Awaited<ReturnType<TestApp['as']>>> =>
    await a.as(a.admin, { method: 'POST', url: '/_admin/import', payload, headers: { 'content-type': 'application/json' } })
  expectError(t, await send('[1, 2]'), 400, 'INVALID_PAYLOAD')
  expectError(t, await send('"schema"'), 400, 'INVALID_PAYLOAD')
  expectError(t, await send('{"entities": ['), 400, 'INVALID_PAYLOAD')
  const misspelt = expectError(t, await send('{"entites": []}'), 422, 'VALIDATION_FAILED')
  t.match(misspelt.details, [{ field: 'entites', rule: 'unknown', message: /did you mean 'entities'/ }], 'an unknown key is named like in every system body')
  expectError(t, await send('{"version": 7}'), 422, 'VALIDATION_FAILED')
  const wrongTypes = await send(JSON.stringify({ entities: [{ name: 'x', fields: [{ name: 'id', type: 'uuid' }] }], rules: {}, sample_data: [] }))
  expectError(t, wrongTypes, 422, 'VALIDATION_FAILED')
  t.same(wrongTypes.json().error.details.map((d: Row) => d.field), ['rules', 'sample_data'], 'every top-level problem named')
  t.same((await a.as(a.admin, { url: '/_admin/entities' })).json().data, [], 'nothing imported')
  expectError(t, await a.as(a.admin, { url: '/_admin/export?include_data=yes' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/_admin/export?data=true' }), 400, 'INVALID_PAYLOAD')
})

t.test('invalid items are reported per kind while the others import', async (t) => {
  const a = await createTestApp(await build(t), 'part')
  const report = await importDoc(t, a, {
    entities: [
      { name: 'alpha', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }, { name: 'qty', type: 'integer' }] },
      { name: 'beta', fields: [{ name: 'id', type: 'uuid' }, { name: 'x', type: 'colour' }] },
      'not an object',
      { name: 'gamma', fields: [{ name: 'id', type: 'uuid' }] }
    ],
    relations: [{ name: 'beta_alpha', type: 'one_to_many', source: 'beta', target: 'alpha' }],
    rules: [
      { entity: 'alpha', type: 'field', definition: { field: 'nope', operator: 'min', value: 1 } },
      { entity: 'alpha', type: 'field', definition: { field: 'qty', operator: 'min', value: 1, message: 'qty ≥ 1' } }
    ],
    sample_data: {
      alpha: [{ id: '00000000-0000-4000-8000-000000000001', title: 'ok', qty: 1 }, { title: 'bad', qty: 'many' }, { title: 'x', colour: 'red' }, { title: 'low', qty: 0 }],
      nope: [{ id: 1 }]
    }
  })
  t.same(report.entities?.created.map((c) => c.name), ['alpha', 'gamma'])
  t.match(report.entities?.errors, [{ index: 1, name: 'beta', message: 'Invalid entity definition', details: [{ field: 'fields.x.type' }] }, { index: 2, name: '#2' }])
  t.match(report.relations?.errors, [{ index: 0, name: 'beta_alpha', details: [{ field: 'source' }] }])
  t.match(report.rules, { created: [{ index: 1 }], errors: [{ index: 0, details: [{ field: 'definition.field' }] }] })
  t.match(report.sample_data?.alpha, { created: 2, skipped: 0, errors: [{ index: 1, details: [{ field: 'qty' }] }, { index: 2, message: /colour/ }] })
  t.equal(report.sample_data?.alpha?.errors.length, 2, 'rules do not run on sample rows (qty 0 imported)')
  t.match(report.sample_data?.nope, { created: 0, errors: [{ message: /neither an entity nor a many_to_many relation/ }] })
})

t.test('same name, other definition: skipped, unless an entity only gains fields', async (t) => {
  const a = await createTestApp(await build(t), 'upd')
  const note = { name: 'note', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string' }] }
  const tag = { name: 'tag', fields: [{ name: 'id', type: 'uuid' }, { name: 'note_id', type: 'uuid' }] }
  const rel = { name: 'note_tags', type: 'one_to_many', source: 'note', target: 'tag', target_key: 'note_id' }
  t.equal((await importDoc(t, a, { entities: [note, tag], relations: [rel] })).entities?.created.length, 2)
  const wider = { ...note, fields: [{ name: 'body', type: 'text' }, ...note.fields] }
  const report = await importDoc(t, a, { entities: [wider, { ...tag, table: 'tags_elsewhere' }], relations: [{ ...rel, on_delete: 'cascade' }] })
  t.same(report.entities?.updated, [{ index: 0, name: 'note' }], 'an entity that only gains fields is updated')
  t.same(report.entities?.skipped, [{ index: 1, name: 'tag', reason: 'exists with a different definition' }])
  t.same(report.relations?.skipped, [{ index: 0, name: 'note_tags', reason: 'exists with a different definition' }])
  t.equal((await a.as(a.admin, { method: 'POST', url: '/note', payload: { title: 't', body: 'b' } })).statusCode, 201, 'the new column exists')
  const changed = await importDoc(t, a, { entities: [{ ...note, fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'text' }] }] })
  t.same(changed.entities?.skipped, [{ index: 0, name: 'note', reason: 'exists with a different definition' }], 'a changed field is never overwritten')
  const reordered = await importDoc(t, a, { entities: [{ ...wider, fields: [...wider.fields].reverse() }] })
  t.same(reordered.entities?.skipped, [{ index: 0, name: 'note', reason: 'already exists' }], 'field order is not content')

  const rule = { entity: 'note', type: 'field', definition: { field: 'title', operator: 'min_length', value: 2 } }
  const firstRule = await importDoc(t, a, { rules: [rule] })
  t.equal(firstRule.rules?.created.length, 1)
  const [stored] = (await a.as(a.admin, { url: '/_admin/rules' })).json().data as Row[]
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/_admin/rules/${String(stored?.id)}`, payload: { active: false } })).statusCode, 200)
  const deactivated = await importDoc(t, a, { rules: [rule, { ...rule, definition: { ...rule.definition, value: 3 } }] })
  t.same(deactivated.rules?.skipped, [{ index: 0, name: 'note: title', reason: 'exists with a different definition' }], 'a deactivated rule is not re-created')
  t.same(deactivated.rules?.created, [{ index: 1, name: 'note: title' }], 'a rule with other content is another rule')
})

t.test('sample rows: self references in any order, integer identities continue, join rows', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'rows')
  const ex = load('employee-management.json')
  const employees = [...(ex.sample_data?.employee ?? [])].reverse()
  const report = await importDoc(t, a, { ...ex, sample_data: { ...ex.sample_data, employee: employees } })
  t.same(report.sample_data?.employee, { created: 7, skipped: 0, errors: [] }, 'reports listed before their manager still import')
  const counter = { name: 'counter', primary_key: { field: 'id', type: 'int' }, fields: [{ name: 'id', type: 'int' }, { name: 'label', type: 'string' }] }
  const label = { name: 'label', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }] }
  const links = { name: 'counter_labels', type: 'many_to_many', source: 'counter', target: 'label' }
  const lbl = '00000000-0000-4000-8000-00000000000a'
  const rows = await importDoc(t, a, {
    entities: [counter, label],
    relations: [links],
    sample_data: {
      counter: [{ id: 7, label: 'seven' }, { id: 3, label: 'three' }],
      label: [{ id: lbl, name: 'L' }],
      counter_labels: [{ counter_id: 7, label_id: lbl }, { counter_id: 9, label_id: lbl }, { counter_id: 'x', label_id: lbl }]
    }
  })
  t.same(rows.sample_data?.counter, { created: 2, skipped: 0, errors: [] })
  t.match(rows.sample_data?.counter_labels, { created: 1, errors: [{ index: 1, details: [{ rule: 'foreign_key' }] }, { index: 2, message: /counter_id/ }] })
  const next = await a.as(a.admin, { method: 'POST', url: '/counter', payload: { label: 'next' } })
  t.equal(next.json().data?.id, 8, 'the identity continues after the largest imported id')
  const linked = await a.as(a.admin, { url: '/counter/7?include=counter_labels' })
  t.equal(linked.json().data.counter_labels.length, 1, 'join row readable')
})

t.test('export and import are admin-only', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'acl')
  const user = await userToken(app, a, 'viewer@example.com', ['viewer'])
  expectError(t, await a.as(user, { url: '/_admin/export' }), 403, 'FORBIDDEN')
  expectError(t, await a.as(user, { method: 'POST', url: '/_admin/import', payload: {} }), 403, 'FORBIDDEN')
  expectError(t, await a.as(null, { url: '/_admin/export' }), 401, 'UNAUTHORIZED')
})
