// Issue 13 point 9: field `pattern` rules run on RE2 (linear time): a catastrophic-backtracking
// pattern answers at once and the server stays responsive; a pattern RE2 cannot compile is 422.
import t from 'tap'
import { build, createTestApp, expectError } from '../helper.js'

interface Detail { field?: string, rule?: string, message: string }

t.test('pattern rules: linear time, RE2 syntax checked at definition time', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 're2')
  const entity = { name: 'code', table: 'codes', fields: [{ name: 'id', type: 'uuid' }, { name: 'value', type: 'string' }, { name: 'slug', type: 'string' }, { name: 'email', type: 'string' }] }
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: entity })).statusCode, 201)
  const rule = (field: string, value: unknown, message = `${field} does not match`): Record<string, unknown> =>
    ({ entity: 'code', hook: 'before_write', type: 'field', definition: { field, operator: 'pattern', value, message } })

  t.test('a pattern RE2 cannot compile is refused with 422; nothing stored', async (t) => {
    for (const bad of ['(a', '(?=a)b', '(a)\\1', '[z-a]', 'a{2,1}', '(?<!x)y']) {
      const res = await a.as(a.admin, { method: 'POST', url: '/_admin/rules', payload: rule('value', bad) })
      expectError(t, res, 422, 'VALIDATION_FAILED')
      const details = res.json().error.details as Detail[]
      t.match(details, [{ field: 'definition.value', rule: 'pattern', message: /RE2/ }], `${bad}: names the pattern`)
    }
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/rules', payload: rule('value', 42) })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.equal((await a.as(a.admin, { url: '/_admin/rules' })).json().data.length, 0, 'no rule stored')
  })

  t.test('^(a+)+$ against 40 × a + "!": refused quickly while /health answers', async (t) => {
    t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/rules', payload: rule('value', '^(a+)+$') })).statusCode, 201)
    const started = Date.now()
    const evil = a.as(a.admin, { method: 'POST', url: '/code', payload: { value: `${'a'.repeat(40)}!` } })
    const health = app.inject({ url: '/health' })
    const [res, h] = await Promise.all([evil, health])
    const elapsed = Date.now() - started
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.match(res.json().error.details, [{ field: 'value', rule: 'pattern' }])
    t.equal(h.statusCode, 200, '/health answered')
    t.ok(elapsed < 5000, `both answered in ${elapsed} ms (a backtracking engine takes hours)`)

    const long = Date.now()
    const big = await a.as(a.admin, { method: 'POST', url: '/code', payload: { value: `${'a'.repeat(200_000)}!` } })
    expectError(t, big, 422, 'VALIDATION_FAILED')
    t.ok(Date.now() - long < 5000, `200 000 characters checked in ${Date.now() - long} ms`)
    const ok = await a.as(a.admin, { method: 'POST', url: '/code', payload: { value: 'aaaa' } })
    t.equal(ok.statusCode, 201, 'a matching value passes')
  })

  t.test("the example schemas' patterns behave as before", async (t) => {
    // content-management.json (slug) and employee-management.json (email), written as there.
    t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/rules', payload: rule('slug', '^[a-z0-9]+(-[a-z0-9]+)*$') })).statusCode, 201)
    t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/rules', payload: rule('email', '^[^@]+@[^@]+\\.[^@]+$', 'Invalid email format') })).statusCode, 201)
    for (const [payload, status] of [
      [{ slug: 'my-first-post', email: 'ann@example.com' }, 201],
      [{ slug: 'My Post' }, 422],
      [{ slug: 'trailing-' }, 422],
      [{ email: 'ann@example' }, 422],
      [{ email: 'a@b@c.d' }, 422],
      [{ email: 'bo@mail.example.org' }, 201]
    ] as const) {
      const res = await a.as(a.admin, { method: 'POST', url: '/code', payload })
      t.equal(res.statusCode, status, `${JSON.stringify(payload)} → ${status}`)
    }
  })
})
