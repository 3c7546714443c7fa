// Issue 13 points 2, 3 and 11: `required` means present and non-empty, one clear detail per field
// (nullable enum, decimal), slug fields are unique (422 at definition, 409 on a colliding explicit
// slug), and write responses list nested children in the order sent.
import t, { type Test } from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

interface Detail { field?: string, rule?: string, message: string, relation?: string, index?: number }

function details (res: { json: () => unknown }): Detail[] {
  return (res.json() as { error: { details?: Detail[] } }).error.details ?? []
}

async function define (t: Test, a: TestApp, kind: 'entities' | 'relations', def: Record<string, unknown>): Promise<void> {
  const res = await a.as(a.admin, { method: 'POST', url: `/_admin/${kind}`, payload: def })
  t.equal(res.statusCode, 201, `${kind} ${String(def.name)}: ${res.body.slice(0, 300)}`)
}

async function schema (t: Test, a: TestApp): Promise<void> {
  await define(t, a, 'entities', {
    name: 'ticket',
    table: 'tickets',
    fields: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'title', type: 'string', required: true },
      { name: 'body', type: 'text', required: true, default: 'none' },
      { name: 'priority', type: 'int', required: true },
      { name: 'status', type: 'string', enum: ['open', 'closed'] },
      { name: 'kind', type: 'string', enum: ['bug', 'task'], nullable: false, default: 'task' },
      { name: 'amount', type: 'decimal', precision: 2 },
      { name: 'note', type: 'string' }
    ]
  })
  await define(t, a, 'entities', {
    name: 'step',
    table: 'steps',
    fields: [{ name: 'id', type: 'uuid' }, { name: 'ticket_id', type: 'uuid', required: true }, { name: 'label', type: 'string', required: true }]
  })
  await define(t, a, 'entities', { name: 'tag', table: 'tags', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string', required: true }] })
  await define(t, a, 'relations', { name: 'steps', type: 'one_to_many', source: 'ticket', target: 'step', source_key: 'id', target_key: 'ticket_id', on_delete: 'cascade' })
  await define(t, a, 'relations', { name: 'tags', type: 'many_to_many', source: 'ticket', target: 'tag', source_key: 'id', target_key: 'id', join_table: 'ticket_tags', source_join_key: 'ticket_id', target_join_key: 'tag_id' })
}

t.test('required: missing, null, empty and whitespace-only are refused with rule "required"', async (t) => {
  const a = await createTestApp(await build(t), 'req')
  await schema(t, a)
  const count = async (): Promise<number> => (await a.as(a.admin, { url: '/ticket' })).json().meta.total as number

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['missing key', { priority: 1 }, 'title'],
    ['null', { title: null, priority: 1 }, 'title'],
    ['empty string', { title: '', priority: 1 }, 'title'],
    ['whitespace only', { title: ' \t\n\u00a0 ', priority: 1 }, 'title'],
    ['null on a non-text required field', { title: 'x', priority: null }, 'priority'],
    ['missing non-text field', { title: 'x' }, 'priority'],
    ['empty text with a default (explicit "" is not the default)', { title: 'x', priority: 1, body: '' }, 'body']
  ]
  for (const [name, payload, field] of cases) {
    const res = await a.as(a.admin, { method: 'POST', url: '/ticket', payload })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    const d = details(res).filter((x) => x.field === field)
    t.equal(d.length, 1, `${name}: one detail for ${field}`)
    t.equal(d[0]?.rule, 'required', `${name}: rule required`)
  }
  t.equal(await count(), 0, 'nothing stored')

  const ok = await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'Printer', priority: 2 } })
  t.equal(ok.statusCode, 201, ok.body)
  const created = ok.json().data
  t.equal(created.body, 'none', 'the default satisfies required')
  t.ok(created.id, 'a generated PK marked required is not asked for')

  t.test('update: absent keys are fine, present ones must be non-empty', async (t) => {
    const partial = await a.as(a.admin, { method: 'PUT', url: `/ticket/${String(created.id)}`, payload: { note: 'n' } })
    t.equal(partial.statusCode, 200, 'a partial update without required keys passes')
    for (const [payload, field] of [[{ title: '' }, 'title'], [{ title: '   ' }, 'title'], [{ title: null }, 'title'], [{ priority: null }, 'priority']] as const) {
      const res = await a.as(a.admin, { method: 'PUT', url: `/ticket/${String(created.id)}`, payload })
      expectError(t, res, 422, 'VALIDATION_FAILED')
      t.same(details(res).map((d) => [d.field, d.rule]), [[field, 'required']], `${JSON.stringify(payload)}: one required detail`)
    }
    const after = await a.as(a.admin, { url: `/ticket/${String(created.id)}` })
    t.equal(after.json().data.title, 'Printer', 'the stored value is unchanged')
  })

  t.test('nested children: the detail carries path, relation and index; the propagated FK is not asked for', async (t) => {
    const res = await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'T', priority: 1, steps: [{ label: 'ok' }, { label: ' ' }] } })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.same(details(res), [{ field: 'steps[1].label', rule: 'required', message: 'label is required and may not be empty', relation: 'steps', index: 1 }])
    t.equal(await count(), 1, 'nothing stored')
  })
})

t.test('one clear detail: a nullable enum given a bad value, a decimal given "abc"', async (t) => {
  const a = await createTestApp(await build(t), 'det')
  await schema(t, a)
  const post = async (extra: Record<string, unknown>): Promise<Detail[]> => {
    const res = await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'x', priority: 1, ...extra } })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    return details(res)
  }
  t.same(await post({ status: 'pending' }), [{ field: 'status', rule: 'enum', message: 'status must be one of: open, closed' }], 'nullable enum: no "must be of type null"')
  t.same(await post({ status: 7 }), [{ field: 'status', rule: 'enum', message: 'status must be one of: open, closed' }], 'nullable enum given a number')
  t.same(await post({ kind: 'epic' }), [{ field: 'kind', rule: 'enum', message: 'kind must be one of: bug, task' }])
  const dec = await post({ amount: 'abc' })
  t.equal(dec.length, 1, 'one detail for the decimal')
  t.equal(dec[0]?.field, 'amount')
  t.equal(dec[0]?.rule, 'type')
  t.match(dec[0]?.message, /amount must be a decimal number: a JSON number or a numeric string/, 'says decimals may be strings')
  t.notMatch(dec[0]?.message, /must be of type number/)
  const int = await post({ priority: 'high' })
  t.same(int.map((d) => [d.field, d.rule]), [['priority', 'type']])
  t.match(int[0]?.message, /priority must be an integer/)
  const both = await post({ status: 'x', amount: {} })
  t.same(both.map((d) => d.field).sort(), ['amount', 'status'], 'one detail per field when several fail')
  const good = await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'x', priority: 1, status: null, amount: '12.50' } })
  t.equal(good.statusCode, 201, 'null and a numeric string are accepted')
  t.equal(good.json().data.amount, '12.50')
})

t.test('slug fields: unique required at definition time; a colliding explicit slug is 409', async (t) => {
  const a = await createTestApp(await build(t), 'slug')
  const def = (unique: boolean | undefined): Record<string, unknown> => ({
    name: 'post',
    table: 'posts',
    soft_delete: true,
    slug: { field: 'slug', source: 'title' },
    fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }, { name: 'slug', type: 'string', required: true, ...(unique === undefined ? {} : { unique }) }]
  })
  for (const unique of [undefined, false]) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: def(unique) })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.same(details(res).map((d) => [d.field, d.rule]), [['slug.field', 'unique']], `unique: ${String(unique)} is refused`)
  }
  const imported = await a.as(a.admin, { method: 'POST', url: '/_admin/import', payload: { version: 1, entities: [def(undefined)] } })
  t.equal(imported.statusCode, 200, imported.body)
  t.same(imported.json().data.entities.created, [], 'import does not create it either')
  t.equal(imported.json().data.entities.errors.length, 1, 'and reports it')
  t.equal((await a.as(a.admin, { url: '/_admin/entities/post' })).statusCode, 404)

  await define(t, a, 'entities', def(true))
  const first = await a.as(a.admin, { method: 'POST', url: '/post', payload: { title: 'Hello World' } })
  t.equal(first.json().data.slug, 'hello-world')
  const second = await a.as(a.admin, { method: 'POST', url: '/post', payload: { title: 'Hello World' } })
  t.equal(second.json().data.slug, 'hello-world-2', 'generated slugs avoid collisions')

  const clash = await a.as(a.admin, { method: 'POST', url: '/post', payload: { title: 'Other', slug: 'hello-world' } })
  expectError(t, clash, 409, 'CONFLICT')
  t.same(details(clash).map((d) => d.field), ['slug'], 'the conflict names the slug field')
  const moved = await a.as(a.admin, { method: 'PUT', url: `/post/${String(second.json().data.id)}`, payload: { slug: 'hello-world' } })
  expectError(t, moved, 409, 'CONFLICT')
  t.equal((await a.as(a.admin, { url: '/post' })).json().meta.total, 2, 'the refused create stored nothing')

  const byGet = await a.as(a.admin, { url: '/post/hello-world' })
  const byPut = await a.as(a.admin, { method: 'PUT', url: '/post/hello-world', payload: { title: 'Renamed' } })
  t.equal(byPut.json().data.id, byGet.json().data.id, 'GET and PUT by slug reach the same record')

  const blank = await a.as(a.admin, { method: 'PUT', url: `/post/${String(first.json().data.id)}`, payload: { slug: '' } })
  expectError(t, blank, 422, 'VALIDATION_FAILED')
  t.same(details(blank).map((d) => [d.field, d.rule]), [['slug', 'required']], 'a required slug cannot be emptied')
  const noSource = await a.as(a.admin, { method: 'POST', url: '/post', payload: { title: '!!!' } })
  t.equal(noSource.statusCode, 201, 'a title of symbols still gets a slug')
  t.equal(noSource.json().data.slug, 'post')
})

t.test('write responses list nested children in the order sent', async (t) => {
  const a = await createTestApp(await build(t), 'order')
  await schema(t, a)
  const labels = ['G-1', 'G-2', 'G-3', 'G-4', 'G-5', 'G-6', 'G-7', 'G-8']
  const tags: string[] = []
  for (const name of ['z', 'y', 'x', 'w']) tags.push((await a.as(a.admin, { method: 'POST', url: '/tag', payload: { name } })).json().data.id as string)
  const res = await a.as(a.admin, {
    method: 'POST',
    url: '/ticket',
    payload: { title: 'T', priority: 1, steps: labels.map((label) => ({ label })), tags: [...tags].reverse() }
  })
  t.equal(res.statusCode, 201, res.body)
  const created = res.json().data
  t.same(created.steps.map((s: { label: string }) => s.label), labels, 'create: steps in the order sent')
  t.same(created.tags.map((x: { id: string }) => x.id), [...tags].reverse(), 'create: many-to-many targets in the order sent')

  const steps = created.steps as Array<{ id: string, label: string }>
  const reordered = [steps[5], steps[1], steps[7], steps[0]].map((s) => ({ id: s?.id, label: `${String(s?.label)}'` }))
  const upd = await a.as(a.admin, {
    method: 'PUT',
    url: `/ticket/${String(created.id)}`,
    payload: { steps: [{ label: 'NEW' }, ...reordered], tags: [tags[2], tags[0], tags[3], tags[1]] }
  })
  t.equal(upd.statusCode, 200, upd.body)
  const got = (upd.json().data.steps as Array<{ label: string }>).map((s) => s.label)
  t.same(got.slice(0, 5), ['NEW', "G-6'", "G-2'", "G-8'", "G-1'"], 'update: the children sent come first, in the order sent')
  t.same(got.slice(5).sort(), ['G-3', 'G-4', 'G-5', 'G-7'], 'then the children the diff left alone')
  t.same((upd.json().data.tags as Array<{ id: string }>).map((x) => x.id), [tags[2], tags[0], tags[3], tags[1]], 'update: links in the order sent')
})
