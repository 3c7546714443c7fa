import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { appContext } from './business-fixtures.js'

type Row = Record<string, unknown>
let app: FastifyInstance
let a: TestApp

t.before(async () => {
  app = await build(t)
  a = await createTestApp(app, 'qi')
})

const base = {
  name: 'invoice',
  table: 'invoices',
  soft_delete: true,
  fields: [{ name: 'id', type: 'uuid' }, { name: 'number', type: 'string' }, { name: 'status', type: 'string' }, { name: 'total', type: 'decimal', precision: 10, scale: 2 }, { name: 'meta', type: 'json' }, { name: 'created_at', type: 'timestamp', auto: 'create' }]
}

/** Polls the admin status until no index is building. */
async function settled (): Promise<Row[]> {
  for (let i = 0; i < 100; i++) {
    const res = await a.as(a.admin, { url: '/_admin/entities/invoice/indexes' })
    const data = res.json().data as Row[]
    if (data.every((d) => d.status !== 'building')) return data
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('indexes never settled')
}

async function indexDefs (): Promise<Map<string, string>> {
  const ctx = await appContext(app, a)
  const rows = await ctx.sql<Array<{ indexname: string, indexdef: string }>>`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'invoices'`
  return new Map(rows.map((r) => [r.indexname, r.indexdef]))
}

t.test('declared indexes are built concurrently after the change and report ready', async (t) => {
  const indexes = [{ name: 'invoices_status_created', fields: ['status', '-created_at'] }, { fields: ['number'], unique: true, where: { status: 'paid' } }]
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { ...base, indexes } })).statusCode, 201)
  const status = await settled()
  t.same(status.map((s) => s.status), ['ready', 'ready'])
  t.equal(status[0]?.name, 'invoices_status_created')
  const defs = await indexDefs()
  t.match(defs.get('invoices_status_created') ?? '', /\(status, created_at DESC\) WHERE \(deleted_at IS NULL\)/)
  const partial = defs.get(status[1]?.name as string) ?? ''
  t.match(partial, /UNIQUE INDEX .*\(number\) WHERE \(\(status = 'paid'::text\) AND \(deleted_at IS NULL\)\)/)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'N1', status: 'paid' } })).statusCode, 201)
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'N1', status: 'paid' } }), 409, 'CONFLICT')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'N1', status: 'draft' } })).statusCode, 201, 'partial: drafts may repeat')
})

t.test('a failing build reports failed; a removed index is dropped', async (t) => {
  const def = (await a.as(a.admin, { url: '/_admin/entities/invoice' })).json().data as Row
  const indexes = [{ name: 'invoices_status_created', fields: ['status', '-created_at'] }, { name: 'invoices_number_unique', fields: ['number'], unique: true }]
  t.equal((await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/invoice', payload: { ...def, indexes } })).statusCode, 200, 'the change itself commits')
  const status = await settled()
  const failed = status.find((s) => s.name === 'invoices_number_unique')
  t.equal(failed?.status, 'failed', 'duplicate numbers: the unique build fails')
  t.match(failed?.error, /duplicate|unique/i)
  t.notOk((await indexDefs()).has('invoices_number_unique'), 'no invalid index left behind')
  const fewer = { ...def, indexes: [] }
  t.equal((await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/invoice', payload: fewer })).statusCode, 200)
  for (let i = 0; i < 50 && (await indexDefs()).has('invoices_status_created'); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  t.notOk((await indexDefs()).has('invoices_status_created'), 'dropped')
  t.same((await a.as(a.admin, { url: '/_admin/entities/invoice/indexes' })).json().data, [])
})

t.test('invalid index definitions are 422 naming the key', async (t) => {
  const cases: Row[] = [
    { indexes: 'x' }, { indexes: [{ fields: [] }] }, { indexes: [{ fields: ['nope'] }] }, { indexes: [{ fields: ['meta'] }] },
    { indexes: [{ fields: ['status'], unique: 'yes' }] }, { indexes: [{ fields: ['status'], where: { 'total.gte': 'abc' } }] },
    { indexes: [{ fields: ['status'], where: { 'status.like': 'a%' } }] }, { indexes: [{ fields: ['status'], name: 'Bad Name' }] },
    { indexes: [{ fields: ['status'], feilds: ['x'] }] }, { indexes: [{ fields: ['status'] }, { fields: ['status'] }] }
  ]
  for (const extra of cases) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { ...base, name: 'other', table: 'others', ...extra } })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.match(JSON.stringify(res.json().error.details), /indexes/, JSON.stringify(extra))
  }
  expectError(t, await a.as(a.admin, { url: '/_admin/entities/nope/indexes' }), 404, 'NOT_FOUND')
})
