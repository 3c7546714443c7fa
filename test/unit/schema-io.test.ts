import t from 'tap'
import type { RelationDef } from '../../lib/metadata/types.js'
import { canonicalJson, sameContent } from '../../lib/schema-io/canonical.js'
import { parseDocument } from '../../lib/schema-io/document.js'
import { dependencyOrder } from '../../lib/schema-io/order.js'

t.test('canonical JSON ignores key order at every depth, keeps array order', async (t) => {
  const a = { name: 'ticket', fields: [{ type: 'uuid', name: 'id' }, { name: 'title', type: 'string', required: true }], soft_delete: true }
  const b = { soft_delete: true, fields: [{ name: 'id', type: 'uuid' }, { required: true, type: 'string', name: 'title' }], name: 'ticket' }
  t.ok(sameContent(a, b), 'same content, other key order')
  t.equal(canonicalJson(a), canonicalJson(b))
  t.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}')
  t.notOk(sameContent({ roles: ['a', 'b'] }, { roles: ['b', 'a'] }), 'array order is content')
  t.notOk(sameContent({ a: 1 }, { a: '1' }), 'types are content')
  t.notOk(sameContent({ a: 1 }, { a: 1, b: 2 }), 'an extra key is content')
  t.ok(sameContent({ a: 1, b: undefined }, { a: 1 }), 'undefined members are dropped, as JSON.stringify does')
  t.equal(canonicalJson(new Date('2026-02-08T00:00:00Z')), '"2026-02-08T00:00:00.000Z"')
  t.equal(canonicalJson(JSON.parse('{"__proto__": {"x": 1}}')), '{"__proto__":{"x":1}}', '__proto__ is data, not a prototype')
})

t.test('dependency order: referenced entities first, ties and cycles in the given order', async (t) => {
  const rel = (source: string, target: string, type: RelationDef['type'] = 'one_to_many'): RelationDef =>
    ({ name: `${source}_${target}`, type, source, target, source_key: 'id', target_key: `${source}_id` })
  t.same(dependencyOrder(['comment', 'post', 'author'], [rel('author', 'post'), rel('post', 'comment')]), ['author', 'post', 'comment'])
  t.same(dependencyOrder(['employee', 'department'], [rel('department', 'employee'), rel('employee', 'employee')]), ['department', 'employee'], 'self relation ignored')
  t.same(dependencyOrder(['tag', 'post'], [rel('post', 'tag', 'many_to_many')]), ['tag', 'post'], 'many_to_many adds no order')
  t.same(dependencyOrder(['a', 'b', 'c'], [rel('a', 'b'), rel('b', 'a')]), ['c', 'a', 'b'], 'free entities first, then a cycle in the given order')
  t.same(dependencyOrder(['b', 'a'], [rel('a', 'b'), rel('x', 'a')]), ['a', 'b'], 'relations to entities outside the list are ignored')
})

t.test('parseDocument: the document or its {data} envelope; top-level problems', async (t) => {
  const doc = { version: 1, exported_at: '2026-02-08T00:00:00Z', entities: [{ name: 'a' }], sample_data: { a: [{ id: 1 }] } }
  const bare = parseDocument(doc)
  t.same(bare.kinds.get('entities'), [{ name: 'a' }])
  t.same(bare.kinds.get('rules'), [], 'missing kinds are empty')
  t.same([...(bare.sampleData ?? new Map())], [['a', [{ id: 1 }]]])
  t.same(parseDocument({ data: doc }).kinds.get('entities'), [{ name: 'a' }], 'the export response envelope is unwrapped')
  t.equal(parseDocument({}).sampleData, null, 'no sample_data')
  const code = (body: unknown): string => {
    try {
      parseDocument(body)
      return 'ok'
    } catch (err) {
      return `${(err as { statusCode: number }).statusCode} ${(err as { code: string }).code}`
    }
  }
  t.equal(code([doc]), '400 INVALID_PAYLOAD', 'an array')
  t.equal(code('x'), '400 INVALID_PAYLOAD', 'a string')
  t.equal(code(null), '400 INVALID_PAYLOAD', 'null')
  t.equal(code({ entites: [] }), '422 VALIDATION_FAILED', 'a misspelt kind')
  t.equal(code({ entities: {} }), '422 VALIDATION_FAILED', 'a kind that is not an array')
  t.equal(code({ version: 2 }), '422 VALIDATION_FAILED', 'an unknown version')
  t.equal(code({ sample_data: [] }), '422 VALIDATION_FAILED', 'sample_data not an object')
  t.equal(code({ sample_data: { a: {} } }), '422 VALIDATION_FAILED', 'sample rows not an array')
  t.equal(code({ entities: null, rules: [] }), 'ok', 'null kinds count as empty')
})
