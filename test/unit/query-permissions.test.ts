import t from 'tap'
import type { ApiError } from '../../lib/errors.js'
import { buildRegistry } from '../../lib/metadata/registry.js'
import { validateEntityDef } from '../../lib/metadata/validate-entity.js'
import { compilePolicies, grantFor } from '../../lib/permissions/compile.js'
import { rowTestOf } from '../../lib/permissions/match.js'
import type { PermissionInput } from '../../lib/permissions/types.js'
import { validatePermission } from '../../lib/permissions/validate.js'
import { buildGetSql, buildPageWithTotalSql, filterFromCondition, type SqlCondition, type SqlFilter } from '../../lib/query/index.js'
import { renderAnyOf, whereClause } from '../../lib/query/sql.js'

const entityDefs = [
  {
    name: 'doc',
    table: 'docs',
    soft_delete: true,
    fields: [
      { name: 'title', type: 'string' }, { name: 'owner_id', type: 'uuid' }, { name: 'owner_email', type: 'string' },
      { name: 'qty', type: 'int' }, { name: 'big', type: 'bigint' }, { name: 'total', type: 'decimal', precision: 2 },
      { name: 'public', type: 'boolean' }, { name: 'at', type: 'timestamp' }, { name: 'due', type: 'date' }, { name: 'meta', type: 'json' }
    ]
  }
].map((e) => validateEntityDef(e))
const registry = buildRegistry(entityDefs, [], 1)
const doc = registry.entities.get('doc')!
const f = (field: string, operator: string, value: unknown): SqlFilter => filterFromCondition(doc, { field, operator, value })

const U1 = '11111111-1111-4111-8111-111111111111'
const U2 = '22222222-2222-4222-8222-222222222222'

t.test('OR-groups render as one parenthesized term with bound values', async (t) => {
  const params: unknown[] = []
  const any: SqlCondition = { any: [[f('owner_id', 'eq', U1), f('qty', 'gt', 2)], [f('public', 'eq', true)]] }
  t.equal(renderAnyOf(any, params), '(("owner_id" = $1 AND "qty" > $2) OR "public" = $3)')
  t.same(params, [U1, 2, true])
  const one: unknown[] = []
  t.equal(renderAnyOf({ any: [[f('qty', 'in', [1, 2])]] }, one, 't.'), 't."qty" = ANY($1::integer[])', 'a single group of one needs no parentheses')
  t.equal(renderAnyOf({ any: [[f('qty', 'gt', 1), f('qty', 'lt', 9)]] }, []), '("qty" > $1 AND "qty" < $2)')
  t.equal(renderAnyOf({ any: [] }, []), 'FALSE', 'no group: nothing matches')
  const unused: unknown[] = []
  t.equal(renderAnyOf({ any: [[f('qty', 'gt', 1)], []] }, unused), '', 'an empty group grants everything: no term')
  t.same(unused, [], 'and no parameter is pushed')
})

t.test('whereClause ANDs filters, OR-groups and the live condition', async (t) => {
  const params: unknown[] = []
  const w = whereClause(['"deleted_at" IS NULL'], params, [[f('title', 'eq', 'a')], [{ any: [[f('qty', 'eq', 1)], [f('qty', 'eq', 2)]] }]])
  t.equal(w, ' WHERE "deleted_at" IS NULL AND "title" = $1 AND ("qty" = $2 OR "qty" = $3)')
  t.same(params, ['a', 1, 2])
  t.equal(whereClause([''], [], [[{ any: [[]] }]]), '', 'a TRUE group leaves no WHERE')
  const list = buildPageWithTotalSql(doc, { filters: [f('title', 'eq', 'x')], where: [{ any: [[f('owner_id', 'eq', U1)], [f('public', 'eq', true)]] }], sort: [], limit: 25, offset: 0 })
  t.match(list.text, /FROM \(SELECT count\(\*\) AS total FROM "public"\."docs" WHERE "deleted_at" IS NULL AND "title" = \$1 AND \("owner_id" = \$2 OR "public" = \$3\)\) c/, 'count has the permission term')
  t.match(list.text, /LEFT JOIN LATERAL \(SELECT .* WHERE "deleted_at" IS NULL AND "title" = \$1 AND \("owner_id" = \$2 OR "public" = \$3\) ORDER BY .* LIMIT \$4 OFFSET \$5\)/, 'page has the same term')
  t.same(list.params, ['x', U1, true, 25, 0])
  const get = buildGetSql(doc, doc.pk, U2, [{ any: [] }])
  t.match(get.text, /WHERE "deleted_at" IS NULL AND "id" = \$1 AND FALSE LIMIT 1$/)
})

t.test('in-memory tests agree with SQL semantics, per type', async (t) => {
  const row = {
    title: 'Beta',
    owner_id: U1.toUpperCase(),
    qty: 5,
    big: '9007199254740993',
    total: '10.50',
    public: false,
    at: new Date('2024-05-01T10:00:00Z'),
    due: '2024-05-01',
    owner_email: null
  }
  const cases: Array<[string, string, unknown, boolean]> = [
    ['title', 'eq', 'Beta', true], ['title', 'neq', 'Beta', false], ['title', 'in', ['Alpha', 'Beta'], true], ['title', 'not_in', ['Beta'], false],
    ['owner_id', 'eq', U1, true], ['owner_id', 'in', [U2], false], ['owner_id', 'not_in', [U2], true],
    ['qty', 'gt', 4, true], ['qty', 'gte', 5, true], ['qty', 'lt', 5, false], ['qty', 'lte', '5', true], ['qty', 'in', [1, 5], true],
    ['big', 'gt', '9007199254740992', true], ['big', 'eq', '9007199254740993', true], ['big', 'lt', 9007199254740992, false],
    ['total', 'eq', '10.5', true], ['total', 'eq', 10.5, true], ['total', 'gt', '10.49', true], ['total', 'lt', '1e2', true], ['total', 'gte', '10.51', false],
    ['total', 'in', ['10.500', '3'], true], ['total', 'gt', '-11', true],
    ['public', 'eq', false, true], ['public', 'neq', false, false], ['public', 'in', [true], false],
    ['at', 'gt', '2024-05-01T09:59:59Z', true], ['at', 'eq', '2024-05-01T12:00:00+02:00', true], ['at', 'lt', '2024-05-01', false],
    ['due', 'eq', '2024-05-01', true], ['due', 'lt', '2024-05-02', true], ['due', 'gt', '2024-05-01', false],
    // NULL compares as SQL does: only IS NULL holds.
    ['owner_email', 'eq', null, true], ['owner_email', 'neq', null, false], ['owner_email', 'eq', 'a@b', false], ['owner_email', 'neq', 'a@b', false],
    ['owner_email', 'not_in', ['a@b'], false], ['title', 'eq', null, false], ['title', 'neq', null, true]
  ]
  for (const [field, op, value, expected] of cases) {
    t.equal(rowTestOf(f(field, op, value))(row), expected, `${field} ${op} ${JSON.stringify(value)} → ${String(expected)}`)
  }
  t.equal(rowTestOf(f('qty', 'gt', 1))({}), false, 'a missing value is NULL')
  t.equal(rowTestOf(f('total', 'lt', '0'))({ total: '-0.001' }), true)
  t.equal(rowTestOf(f('total', 'eq', '0'))({ total: '-0.000' }), true, '-0 equals 0')
})

const policy = (p: Partial<PermissionInput>): PermissionInput => ({ entity: 'doc', action: 'read', roles: ['member'], conditions: [], ...p })
const user = { id: U1, email: 'one@example.test', roles: ['member'] }

t.test('grants: whitelist, OR of ANDs, $user references, role sets', async (t) => {
  const set = compilePolicies([
    policy({ conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] }),
    policy({ conditions: [{ field: 'public', operator: 'eq', value: true }, { field: 'qty', operator: 'gt', value: 0 }] }),
    policy({ action: 'update', roles: ['editor'] }),
    policy({ action: 'delete', conditions: [{ field: 'owner_email', operator: 'in', value: ['boss@example.test', '$user.email'] }] }),
    policy({ entity: 'ghost' }),
    policy({ action: 'create', conditions: [{ field: 'dropped_field', operator: 'eq', value: 1 }] })
  ], registry)
  t.same(grantFor(set, { entity: 'doc', action: 'create', user }), { kind: 'none' }, 'a policy whose field vanished grants nothing')
  t.same(grantFor(set, { entity: 'doc', action: 'update', user }), { kind: 'none' }, 'no policy for my roles')
  t.same(grantFor(set, { entity: 'doc', action: 'update', user: { ...user, roles: ['member', 'editor'] } }), { kind: 'all' }, 'an unconditional policy grants every row')
  t.same(grantFor(set, { entity: 'doc', action: 'read', user: null }), { kind: 'none' })
  const read = grantFor(set, { entity: 'doc', action: 'read', user })
  if (read.kind !== 'some') throw new Error('expected conditions')
  const params: unknown[] = []
  t.equal(renderAnyOf(read.where as { any: SqlFilter[][] }, params), '("owner_id" = $1 OR ("public" = $2 AND "qty" > $3))')
  t.same(params, [U1, true, 0], '$user.id resolved for this caller')
  t.equal(read.test({ owner_id: U1 }), true, 'my own row')
  t.equal(read.test({ owner_id: U2, public: true, qty: 1 }), true, 'a public row')
  t.equal(read.test({ owner_id: U2, public: true, qty: 0 }), false, 'every condition of a group must hold')
  const other = grantFor(set, { entity: 'doc', action: 'read', user: { ...user, id: U2 } })
  t.equal(other.kind === 'some' && other.test({ owner_id: U1 }), false, 'resolved per user, not cached across users')
  const del = grantFor(set, { entity: 'doc', action: 'delete', user })
  t.equal(del.kind === 'some' && del.test({ owner_email: 'one@example.test' }), true)
  t.equal(del.kind === 'some' && del.test({ owner_email: 'x@example.test' }), false)
  const noId = grantFor(set, { entity: 'doc', action: 'read', user: { ...user, id: '' } })
  t.equal(noId.kind === 'some' && noId.test({ owner_id: null, public: true, qty: 1 }), true, 'an unresolvable reference drops only its own group')
})

t.test('validatePermission refuses what cannot work, with details', async (t) => {
  const ok = validatePermission({ entity: 'doc', action: 'read', roles: ['a', 'a', ' b '], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }, { field: 'qty', operator: 'in', value: [1, 2] }] }, registry)
  t.same(ok.roles, ['a', 'b'])
  t.equal(ok.conditions.length, 2)
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ entity: 'nope', action: 'read', roles: ['a'] }, 'entity'],
    [{ entity: 'doc', action: 'write', roles: ['a'] }, 'action'],
    [{ entity: 'doc', action: 'read', roles: [] }, 'roles'],
    [{ entity: 'doc', action: 'read', roles: 'a' }, 'roles'],
    [{ entity: 'doc', action: 'read', roles: ['a', 3] }, 'roles[1]'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: {} }, 'conditions'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'nope', operator: 'eq', value: 1 }] }, 'conditions[0].field'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'meta', operator: 'eq', value: 1 }] }, 'conditions[0].field'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'qty', operator: 'like', value: 1 }] }, 'conditions[0].operator'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'public', operator: 'gt', value: true }] }, 'conditions[0].operator'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'qty', operator: 'eq' }] }, 'conditions[0].value'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'qty', operator: 'eq', value: 'many' }] }, 'conditions[0].value'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'qty', operator: 'gt', value: null }] }, 'conditions[0].value'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'qty', operator: 'eq', value: '$user.id' }] }, 'conditions[0].value'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.email' }] }, 'conditions[0].value'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'title', operator: 'eq', value: '$user.name' }] }, 'conditions[0].value'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'title', operator: 'eq', value: { x: 1 } }] }, 'conditions[0].value'],
    [{ entity: 'doc', action: 'read', roles: ['a'], conditions: [{ field: 'qty', operator: 'in', value: [1, 'x'] }] }, 'conditions[0].value'],
    [{ entity: 'doc', action: 'read', roles: ['a'], extra: true }, 'extra']
  ]
  for (const [input, field] of cases) {
    try {
      validatePermission(input, registry)
      t.fail(`accepted ${JSON.stringify(input)}`)
    } catch (err) {
      const e = err as ApiError
      t.equal(e.code, 'VALIDATION_FAILED', JSON.stringify(input))
      t.ok(e.details?.some((d) => d.field === field), `details name ${field}: ${JSON.stringify(e.details)}`)
    }
  }
})
