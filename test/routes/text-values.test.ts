// Issue 13 point 4: U+0000 (and lone surrogates) never reach PostgreSQL. Bodies → 422 naming the
// field (at any depth, keys included), URLs → 400; SQLSTATE class 22 is a 400 backstop.
import t, { type Test as Tap } from 'tap'
import { connect, withDatabase } from '../../lib/db/connection.js'
import { translatePgError } from '../../lib/db/pg-errors.js'
import { testServerUrl } from '../db-helper.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

interface Detail { field?: string, rule?: string, message: string }

const NUL = '\u0000'

function details (res: { json: () => unknown }): Detail[] {
  return (res.json() as { error: { details?: Detail[] } }).error.details ?? []
}

async function schema (t: Tap, a: TestApp): Promise<void> {
  for (const def of [
    { name: 'note', table: 'notes', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string' }, { name: 'meta', type: 'json' }, { name: 'at', type: 'timestamp' }] },
    { name: 'line', table: 'lines', fields: [{ name: 'id', type: 'uuid' }, { name: 'note_id', type: 'uuid' }, { name: 'text', type: 'text' }] }
  ]) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: def })).statusCode, 201)
  const rel = { name: 'lines', type: 'one_to_many', source: 'note', target: 'line', source_key: 'id', target_key: 'note_id' }
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: rel })).statusCode, 201)
}

t.test('U+0000 in a body: 422 naming the field, at any depth; nothing stored', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'nul')
  await schema(t, a)
  const cases: Array<[string, unknown, string[]]> = [
    ['string field', { title: `a${NUL}b` }, ['title']],
    ['JSON value deep down', { meta: { a: [1, { b: `x${NUL}` }] } }, ['meta.a[1].b']],
    ['JSON key', { meta: { [`k${NUL}`]: 1 } }, ['meta.k\\u0000']],
    ['nested child', { title: 'ok', lines: [{ text: 'fine' }, { text: NUL }] }, ['lines[1].text']],
    ['several at once', { title: NUL, meta: NUL }, ['title', 'meta']]
  ]
  for (const [name, payload, fields] of cases) {
    const res = await a.as(a.admin, { method: 'POST', url: '/note', payload: payload as Record<string, unknown> })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.same(details(res).map((d) => d.field), fields, `${name}: the detail names ${fields.join(', ')}`)
    t.ok(details(res).every((d) => d.rule === 'text' && /U\+0000/.test(d.message)), `${name}: rule text, message says U+0000`)
  }
  t.equal((await a.as(a.admin, { url: '/note' })).json().meta.total, 0, 'nothing stored')
  t.equal((await a.as(a.admin, { url: '/line' })).json().meta.total, 0, 'no child stored')

  const created = await a.as(a.admin, { method: 'POST', url: '/note', payload: { title: 'keep' } })
  const upd = await a.as(a.admin, { method: 'PUT', url: `/note/${String(created.json().data.id)}`, payload: { title: `x${NUL}` } })
  expectError(t, upd, 422, 'VALIDATION_FAILED')
  t.equal((await a.as(a.admin, { url: `/note/${String(created.json().data.id)}` })).json().data.title, 'keep', 'update refused, value kept')

  t.test('login emails, admin metadata and event bodies', async (t) => {
    for (const url of [`/api/${a.name}/auth/login`, '/api/_platform/auth/login']) {
      const res = await app.inject({ method: 'POST', url, payload: { email: `admin@localhost${NUL}`, password: 'changeme' } })
      expectError(t, res, 422, 'VALIDATION_FAILED')
      t.same(details(res).map((d) => d.field), ['email'], `${url}: names email`)
    }
    const posts: Array<[string, Record<string, unknown>, string]> = [
      ['/_admin/entities', { name: 'x', fields: [{ name: 'id', type: 'uuid' }, { name: 'label', type: 'string', default: NUL }] }, 'fields[1].default'],
      ['/_admin/rules', { entity: 'note', hook: 'before_write', type: 'field', definition: { field: 'title', operator: 'pattern', value: `a${NUL}`, message: 'm' } }, 'definition.value'],
      ['/_admin/users', { email: `u${NUL}@x.test`, password: 'long-enough-pw' }, 'email'],
      ['/_admin/ui-configs', { entity: 'note', scope: 'list', config: { [NUL]: true } }, 'config.\\u0000'],
      ['/_events', { event_type: 'clicked', metadata: { deep: { deeper: [NUL] } } }, 'metadata.deep.deeper[0]'],
      ['/_admin/import', { version: 1, entities: [{ name: `n${NUL}`, fields: [] }] }, 'entities[0].name']
    ]
    for (const [url, payload, field] of posts) {
      const res = await a.as(a.admin, { method: 'POST', url, payload })
      expectError(t, res, 422, 'VALIDATION_FAILED')
      t.same(details(res).map((d) => d.field), [field], `${url}: names ${field}`)
    }
    t.equal((await a.as(a.admin, { url: '/_admin/entities/x' })).statusCode, 404, 'no entity created')
  })

  t.test('URLs: %00 in a filter, a sort, an id or any parameter is 400', async (t) => {
    for (const url of ['/note?filter[title]=a%00b', '/note?filter[title.in]=a,%00', '/note?sort=%00', '/note/%00', '/note?page=1%00', '/_admin/audit?entity=%00', '/_admin/events?event_type=%00']) {
      const res = await a.as(a.admin, { url })
      expectError(t, res, 400, 'INVALID_PAYLOAD')
      t.match(res.json().error.message, /U\+0000/, `${url}: says why`)
    }
    const del = await a.as(a.admin, { method: 'DELETE', url: '/note/a%00' })
    expectError(t, del, 400, 'INVALID_PAYLOAD')
    const ok = await a.as(a.admin, { url: '/note?filter[title]=keep' })
    t.equal(ok.json().meta.total, 1, 'a clean filter still works')
  })
})

t.test('lone surrogates: 422 in bodies, never a 500 in URLs', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'sur')
  await schema(t, a)
  // Written by hand: JSON.stringify would escape them the same way, but this is what clients send.
  for (const [raw, field] of [['{"title":"\\ud800"}', 'title'], ['{"meta":{"k":"a\\udfffb"}}', 'meta.k'], ['{"meta":{"\\udc00":1}}', 'meta.\\udc00']]) {
    const res = await a.as(a.admin, { method: 'POST', url: '/note', payload: raw as string, headers: { 'content-type': 'application/json' } })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.same(details(res).map((d) => d.field), [field], `${String(raw)}: names ${String(field)}`)
  }
  const pair = await a.as(a.admin, { method: 'POST', url: '/note', payload: '{"title":"\\ud83d\\ude80","meta":{"\\ud83d\\ude80":"ok"}}', headers: { 'content-type': 'application/json' } })
  t.equal(pair.statusCode, 201, 'a proper surrogate pair (🚀) is fine')
  t.equal(pair.json().data.title, '🚀')
  for (const url of ['/note?filter[title]=%ED%A0%80', '/note/%ED%A0%80', '/note?sort=%ED%A0%80', '/note?filter[title]=%F0%9F']) {
    const res = await a.as(a.admin, { url })
    t.ok(res.statusCode < 500, `${url}: ${res.statusCode}`)
  }
})

t.test('SQLSTATE class 22 (data exceptions) translate to 400, never a 500', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'c22')
  await schema(t, a)
  const sql = connect(withDatabase(await testServerUrl(), 'postgres'), { max: 1 })
  t.teardown(async () => { await sql.end() })
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['22021 NUL in text', async () => await sql.unsafe('SELECT $1::text AS v', [`a${NUL}`])],
    // Cast from text: postgres.js would JSON.stringify a parameter it sees typed json.
    ['22P05 \\u0000 in jsonb', async () => await sql.unsafe('SELECT $1::text::jsonb AS v', ['{"a":"\\u0000"}'])],
    ['22003 out of range', async () => await sql.unsafe('SELECT $1::int AS v', ['99999999999'])],
    ['22008 bad date', async () => await sql.unsafe('SELECT $1::date AS v', ['0000-01-01'])],
    ['22012 division by zero', async () => await sql.unsafe('SELECT 1 / $1::int AS v', [0])],
    ['22P02 invalid text representation', async () => await sql.unsafe('SELECT $1::uuid AS v', ['nope'])]
  ]
  for (const [name, query] of cases) {
    const err = await query().then(() => null, (e: unknown) => e)
    t.ok(err !== null, `${name}: PostgreSQL refuses it`)
    const api = translatePgError(err)
    t.equal(api?.statusCode, 400, `${name}: 400`)
    t.equal(api?.code, 'INVALID_PAYLOAD')
    t.notMatch(api?.message ?? '', /invalid input syntax|byte sequence|SELECT/, `${name}: no PostgreSQL text in the message`)
  }
  t.equal(translatePgError(new Error('x')), null, 'not a PostgreSQL error: left to the 500 path')

  // A value the validator lets through but PostgreSQL refuses (year 0) still answers 400.
  const res = await a.as(a.admin, { method: 'POST', url: '/note', payload: { at: '0000-01-01T00:00:00Z' } })
  expectError(t, res, 400, 'INVALID_PAYLOAD')
  const filtered = await a.as(a.admin, { url: '/note?filter[at.gt]=0000-01-01T00:00:00Z' })
  t.ok(filtered.statusCode < 500, `a filter on year 0: ${filtered.statusCode}`)
})
