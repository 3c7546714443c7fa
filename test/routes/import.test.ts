import t, { type Test } from 'tap'
import { build, createTestApp, type TestApp } from '../helper.js'
import { loadExample } from '../fixtures/examples.js'
import { importDoc, KINDS, type Doc, type ImportReport as Report } from '../fixtures/schema-import.js'

type Row = Record<string, unknown>

const EXAMPLES = ['helpdesk-ticketing.json', 'content-management.json', 'employee-management.json']
const load = (file: string): Doc => loadExample<Doc>(file)
const count = (doc: Doc, key: string): number => (Array.isArray(doc[key]) ? (doc[key] as unknown[]).length : 0)

/** First import of a document into an empty app: everything created, nothing skipped, no error. */
function expectAllCreated (t: Test, report: Report, doc: Doc): void {
  for (const key of KINDS) {
    t.same(report[key]?.errors, [], `${key}: no errors`)
    t.equal(report[key]?.created.length, count(doc, key), `${key}: every item created`)
    t.equal(report[key]?.skipped.length, 0, `${key}: nothing skipped`)
  }
  for (const [key, rows] of Object.entries(doc.sample_data ?? {})) {
    t.same(report.sample_data?.[key], { created: rows.length, skipped: 0, errors: [] }, `sample ${key}: every row created`)
  }
}

/** Second import: nothing created or updated, everything skipped, no error. */
function expectAllSkipped (t: Test, report: Report, doc: Doc): void {
  for (const key of KINDS) {
    t.same({ ...report[key], skipped: report[key]?.skipped.length }, { created: [], updated: [], skipped: count(doc, key), errors: [] }, `${key}: all skipped`)
    t.ok(report[key]?.skipped.every((s) => s.reason === 'already exists'), `${key}: skipped as already existing`)
  }
  for (const [key, rows] of Object.entries(doc.sample_data ?? {})) {
    t.same(report.sample_data?.[key], { created: 0, skipped: rows.length, errors: [] }, `sample ${key}: every row skipped`)
  }
}

/** Each relation includes, from its source, as many rows as the sample data links. */
async function checkIncludes (t: Test, a: TestApp, doc: Doc): Promise<void> {
  for (const r of doc.relations as Array<{ name: string, type: string, source: string, target: string, target_key: string }>) {
    const res = await a.as(a.admin, { url: `/${r.source}?include=${r.name}&per_page=100` })
    const included = (res.json().data as Array<Record<string, unknown[]>>).reduce((n, row) => n + (row[r.name]?.length ?? 0), 0)
    const expected = r.type === 'many_to_many'
      ? (doc.sample_data?.[r.name] ?? []).length
      : (doc.sample_data?.[r.target] ?? []).filter((row) => row[r.target_key] != null).length
    t.equal(included, expected, `${r.name}: sample rows readable with include`)
  }
}

const get = async (a: TestApp, url: string): Promise<Row> => (await a.as(a.admin, { url })).json().data as Row
const post = async (a: TestApp, url: string, payload: Row): Promise<{ status: number, body: Row }> => {
  const res = await a.as(a.admin, { method: 'POST', url, payload })
  return { status: res.statusCode, body: res.json() }
}
const put = async (a: TestApp, url: string, payload: Row): Promise<number> => (await a.as(a.admin, { method: 'PUT', url, payload })).statusCode

/** After import the business logic enforces on normal writes, while sample rows kept their states. */
const afterImport: Record<string, (t: Test, a: TestApp) => Promise<void>> = {
  'helpdesk-ticketing.json': async (t, a) => {
    t.equal((await get(a, '/ticket/30000000-0000-0000-0000-000000000001')).status, 'in_progress', 'sample ticket kept its state')
    const customer = '10000000-0000-0000-0000-000000000001'
    t.equal((await post(a, '/ticket', { title: 'Help', description: 'd', customer_id: customer })).status, 422, 'rule enforced')
    t.equal((await post(a, '/ticket', { title: 'Printer on fire', description: 'd', customer_id: customer, status: 'resolved' })).status, 422, 'initial state enforced')
    t.equal(await put(a, '/ticket/30000000-0000-0000-0000-000000000004', { status: 'closed' }), 422, 'open → closed is no transition')
    t.equal(await put(a, '/ticket/30000000-0000-0000-0000-000000000004', { status: 'assigned' }), 200, 'open → assigned is')
  },
  'content-management.json': async (t, a) => {
    const post1 = await get(a, '/post/getting-started-with-react-server-components')
    t.match(post1, { status: 'published', published_at: '2026-01-15T09:00:00.000Z' }, 'sample post published, by slug')
    t.equal(await put(a, '/post/40000000-0000-0000-0000-000000000005', { status: 'published' }), 422, 'draft → published is no transition')
    t.equal((await post(a, '/category', { name: 'Bad', slug: 'Not A Slug' })).status, 422, 'slug pattern rule enforced')
  },
  'employee-management.json': async (t, a) => {
    t.match(await get(a, '/leave_request/30000000-0000-0000-0000-000000000001'), { status: 'approved', days: 5 }, 'sample leave request approved')
    const reports = await get(a, '/employee/20000000-0000-0000-0000-000000000001?include=employee_manager')
    t.equal((reports.employee_manager as unknown[]).length, 2, 'self relation rows linked')
    const leave = { employee_id: '20000000-0000-0000-0000-000000000002', type: 'annual', start_date: '2026-05-01', end_date: '2026-05-02' }
    t.equal((await post(a, '/leave_request', { ...leave, days: 31 })).status, 422, 'max rule enforced')
    t.equal((await post(a, '/leave_request', { ...leave, days: 2, status: 'approved' })).status, 422, 'initial state enforced')
  }
}

for (const file of EXAMPLES) {
  t.test(`${file} imports cleanly, twice in a row`, async (t) => {
    const a = await createTestApp(await build(t), 'imp')
    const doc = load(file)
    expectAllCreated(t, await importDoc(t, a, doc), doc)
    expectAllSkipped(t, await importDoc(t, a, doc), doc)
    await checkIncludes(t, a, doc)
    await afterImport[file]?.(t, a)
    const logs = await a.as(a.admin, { url: '/_admin/webhook-logs' })
    t.equal(logs.json().meta?.total ?? logs.json().data.length, 0, 'sample rows triggered no webhook')
  })
}

/** The same document with the keys of every object in reverse order. */
function deepReverseKeys (v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepReverseKeys)
  if (typeof v !== 'object' || v === null) return v
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, deepReverseKeys(x)]))
}

t.test('items are compared by content, not by key order', async (t) => {
  const a = await createTestApp(await build(t), 'imp')
  const doc = load('helpdesk-ticketing.json')
  await importDoc(t, a, doc)
  const reversed = deepReverseKeys(doc) as Doc
  t.not(JSON.stringify(reversed), JSON.stringify(doc), 'key order differs')
  expectAllSkipped(t, await importDoc(t, a, reversed), doc)
})
