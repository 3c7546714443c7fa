import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { queryWorld, type QueryWorld, type Row } from './query-fixtures.js'

let a: TestApp
let w: QueryWorld

t.before(async () => {
  const app = await build(t)
  a = await createTestApp(app, 'qb')
  w = await queryWorld(t, a)
})

async function count (entity: string): Promise<number> {
  return (await a.as(a.admin, { url: `/${entity}?per_page=1` })).json().meta.total
}

t.test('bulk create: all rows in one transaction, 201 with every record', async (t) => {
  const body = Array.from({ length: 150 }, (_, i) => ({ name: `bulk ${i}`, status: 'bulk' }))
  const res = await a.as(a.admin, { method: 'POST', url: '/customer', payload: body })
  t.equal(res.statusCode, 201, res.body.slice(0, 300))
  const data = res.json().data as Row[]
  t.equal(data.length, 150)
  t.equal(data[149]?.name, 'bulk 149', 'in request order')
  t.ok(typeof data[0]?.id === 'string')
  const nested = await a.as(a.admin, { method: 'POST', url: '/invoice', payload: [{ number: 'N1', items: { data: [{ quantity: 1 }] } }, { number: 'N2' }] })
  t.equal(nested.statusCode, 201, nested.body)
  t.equal((nested.json().data[0].items as Row[]).length, 1, 'nested writes work per record')
})

t.test('bulk create: a failing record names its index and nothing is written', async (t) => {
  const before = await count('customer')
  const res = await a.as(a.admin, { method: 'POST', url: '/customer', payload: [{ name: 'ok 1' }, { name: 'ok 2' }, { status: 'no name' }, { name: 'ok 3' }] })
  expectError(t, res, 422, 'VALIDATION_FAILED')
  t.equal(res.json().error.details[0].index, 2)
  t.match(res.json().error.message, /Record 2/)
  t.equal(await count('customer'), before, 'all or nothing')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/customer', payload: [] }), 400, 'INVALID_PAYLOAD')
  const tooMany = await a.as(a.admin, { method: 'POST', url: '/customer', payload: Array.from({ length: 1001 }, () => ({ name: 'x' })) })
  expectError(t, tooMany, 400, 'INVALID_PAYLOAD')
  const unknown = await a.as(a.admin, { method: 'POST', url: '/customer', payload: [{ name: 'a' }, { nmae: 'b' }] })
  expectError(t, unknown, 400, 'UNKNOWN_FIELD')
  t.equal(unknown.json().error.details[0].index, 1)
  t.equal(await count('customer'), before)
})

t.test('bulk create obeys permissions per record', async (t) => {
  const before = await count('invoice')
  const mine = { number: 'M1', owner_id: w.member.id }
  const theirs = { number: 'M2', owner_id: w.other.id }
  const res = await a.as(w.member.token, { method: 'POST', url: '/invoice', payload: [mine, theirs] })
  expectError(t, res, 403, 'FORBIDDEN')
  t.equal(res.json().error.details[0].index, 1)
  t.equal(await count('invoice'), before)
  t.equal((await a.as(w.member.token, { method: 'POST', url: '/invoice', payload: [mine] })).statusCode, 201)
})

t.test('POST /_batch: mixed operations in one transaction', async (t) => {
  const a1 = w.invoices.get('A1') ?? ''
  const b2 = w.invoices.get('B2') ?? ''
  const res = await a.as(a.admin, {
    method: 'POST',
    url: '/_batch',
    payload: {
      operations: [
        { method: 'POST', entity: 'customer', body: { name: 'Batch Co' } },
        { method: 'PUT', entity: 'invoice', id: a1, body: { note: 'batched' } },
        { method: 'DELETE', entity: 'invoice', id: b2 }
      ]
    }
  })
  t.equal(res.statusCode, 200, res.body)
  const data = res.json().data as Row[]
  t.same(data.map((d) => [d.method, d.status]), [['POST', 201], ['PUT', 200], ['DELETE', 200]])
  t.equal((data[1]?.data as Row).note, 'batched')
  t.same(data[2]?.data, { id: b2 })
  expectError(t, await a.as(a.admin, { url: `/invoice/${b2}` }), 404, 'NOT_FOUND')
})

t.test('POST /_batch: any failure rolls all back and names the operation', async (t) => {
  const a3 = w.invoices.get('A3') ?? ''
  const before = await count('customer')
  const res = await a.as(w.member.token, {
    method: 'POST',
    url: '/_batch',
    payload: {
      operations: [
        { method: 'PUT', entity: 'invoice', id: a3, body: { note: 'should roll back' } },
        { method: 'POST', entity: 'product', body: { name: 'nope' } }
      ]
    }
  })
  expectError(t, res, 403, 'FORBIDDEN')
  t.equal(res.json().error.details[0].index, 1)
  t.match(res.json().error.message, /Operation 1/)
  t.not((await a.as(a.admin, { url: `/invoice/${a3}` })).json().data.note, 'should roll back')
  const notFound = await a.as(a.admin, { method: 'POST', url: '/_batch', payload: { operations: [{ method: 'POST', entity: 'customer', body: { name: 'x' } }, { method: 'DELETE', entity: 'invoice', id: '00000000-0000-0000-0000-000000000000' }] } })
  expectError(t, notFound, 404, 'NOT_FOUND')
  t.equal(notFound.json().error.details[0].index, 1)
  t.equal(await count('customer'), before, 'the create of operation 0 was rolled back')
  const cases: Row[] = [
    {}, { operations: [] }, { operations: 'x' }, { operations: [{ method: 'PATCH', entity: 'invoice', id: a3 }] },
    { operations: [{ method: 'PUT', entity: 'invoice', body: {} }] }, { operations: [{ method: 'POST', entity: 'invoice', body: [] }] },
    { operations: [{ method: 'POST', entity: 'invoice', body: {}, extra: 1 }] }, { operations: Array.from({ length: 101 }, () => ({ method: 'DELETE', entity: 'invoice', id: a3 })) },
    { operations: [], more: 1 }
  ]
  // The batch body is checked by its route schema before anything runs: 400 INVALID_PAYLOAD, the details naming the path.
  for (const payload of cases) expectError(t, await a.as(a.admin, { method: 'POST', url: '/_batch', payload }), 400, 'INVALID_PAYLOAD')
  const post = await a.as(a.admin, { method: 'POST', url: '/_batch', payload: { operations: [{ method: 'DELETE', entity: 'invoice', id: a3 }, { method: 'POST', entity: 'invoice', id: a3, body: {} }] } })
  t.match(expectError(t, post, 400, 'INVALID_PAYLOAD').details, [{ field: 'operations[1].id', rule: 'unknown', message: 'operations[1].id is not allowed here' }], 'POST takes no id')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_batch', payload: [] }), 400, 'INVALID_PAYLOAD')
  const unknown = await a.as(a.admin, { method: 'POST', url: '/_batch', payload: { operations: [{ method: 'POST', entity: 'invoce', body: {} }] } })
  expectError(t, unknown, 404, 'UNKNOWN_ENTITY')
  t.equal(unknown.json().error.details[0].index, 0)
})
