import t from 'tap'
import { build, createTestApp, expectError } from '../helper.js'
import { userToken } from './business-fixtures.js'

// Response bodies are read loosely, as a client would.
type Json = Record<string, any>

t.test('POST /_admin/expressions/evaluate', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'exprs')
  const evaluate = async (payload: unknown, token: string = a.admin): Promise<ReturnType<typeof a.as>> =>
    await a.as(token, { method: 'POST', url: '/_admin/expressions/evaluate', payload: payload as Json })

  await t.test('evaluates against record, old, user, related and context', async (t) => {
    const cases: Array<[Json, unknown]> = [
      [{ expression: 'record.total > 100 && record.status == "draft"', record: { total: 150, status: 'draft' } }, true],
      [{ expression: 'record.total - old.total', record: { total: 150 }, old: { total: 100 } }, 50],
      [{ expression: "'admin' in user.roles", user: { id: 'u1', email: 'a@b.c', roles: ['admin'] } }, true],
      [{ expression: "sum(related.items, 'quantity * price')", related: { items: [{ quantity: 2, price: 5 }, { quantity: 1, price: 3 }] } }, 13],
      [{ expression: 'upper(context.title)', context: { title: 'hello' } }, 'HELLO'],
      [{ expression: 'record.missing.deeper' }, null],
      [{ expression: 'action', old: { id: 1 } }, 'update'],
      [{ expression: '[1, 2, len("abc")]' }, [1, 2, 3]]
    ]
    for (const [body, expected] of cases) {
      const res = await evaluate(body)
      t.equal(res.statusCode, 200, `${String(body.expression)}: ${res.body.slice(0, 200)}`)
      t.same((res.json() as Json).data, { result: expected }, String(body.expression))
    }
    const now = await evaluate({ expression: 'now()' })
    t.ok(!Number.isNaN(Date.parse((now.json() as Json).data.result)), 'a date result is sent as an ISO string')
  })

  await t.test('a syntax error is a 422 naming its position', async (t) => {
    const res = await evaluate({ expression: 'record.total > ' })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    const detail = (res.json() as Json).error.details[0]
    t.match(detail, { field: 'expression', rule: 'syntax', position: Number })
    t.match(detail.message, /position \d+/)
    const unknownFn = await evaluate({ expression: 'record.a + exec(1)' })
    expectError(t, unknownFn, 422, 'VALIDATION_FAILED')
    t.equal((unknownFn.json() as Json).error.details[0].position, 11, 'the position points at the unknown function')
  })

  await t.test('forbidden constructs are refused at parse time', async (t) => {
    for (const expression of ['record.constructor', "record['__proto__']", 'user.prototype', 'record.x = 1', 'new Function("x")', 'this']) {
      const res = await evaluate({ expression, record: { x: 1 } })
      expectError(t, res, 422, 'VALIDATION_FAILED')
      t.equal((res.json() as Json).error.details[0]?.field, 'expression', expression)
    }
  })

  await t.test('an expression over its step budget is a 422', async (t) => {
    const items = Array.from({ length: 3000 }, (_, i) => ({ x: i }))
    const res = await evaluate({ expression: "sum(record.items, 'x * 2 + 1')", record: { items } })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.match((res.json() as Json).error.details[0], { field: 'expression', rule: 'budget' })
  })

  await t.test('body shape: unknown keys, missing or non-string expression, non-object record are 422 naming the field', async (t) => {
    const typo = expectError(t, await evaluate({ expression: '1', recrod: {} }), 422, 'VALIDATION_FAILED')
    t.match(typo.details, [{ field: 'recrod', rule: 'unknown', message: /did you mean 'record'/ }])
    t.match(expectError(t, await evaluate({ record: {} }), 422, 'VALIDATION_FAILED').details, [{ field: 'expression', rule: 'required' }])
    t.match(expectError(t, await evaluate({ expression: 42 }), 422, 'VALIDATION_FAILED').details, [{ field: 'expression', rule: 'type' }])
    t.match(expectError(t, await evaluate({ expression: '1', record: [1] }), 422, 'VALIDATION_FAILED').details, [{ field: 'record', rule: 'type' }])
    t.match(expectError(t, await evaluate({ expression: '' }), 422, 'VALIDATION_FAILED').details, [{ field: 'expression', rule: 'min_length' }])
  })

  await t.test('admins only', async (t) => {
    const clerk = await userToken(app, a, 'clerk@example.com', ['clerk'])
    expectError(t, await evaluate({ expression: '1 + 1' }, clerk), 403, 'FORBIDDEN')
    expectError(t, await a.as(null, { method: 'POST', url: '/_admin/expressions/evaluate', payload: { expression: '1' } }), 401, 'UNAUTHORIZED')
  })
})
