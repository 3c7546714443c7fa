import fastJson from 'fast-json-stringify'
import t from 'tap'
import { buildRegistry } from '../../lib/metadata/registry.js'
import type { EntityDef } from '../../lib/metadata/types.js'
import { ajv } from '../../lib/schema/ajv.js'
import { entityJsonSchemas } from '../../lib/schema/entity-schemas.js'
import { PiecewiseSerializer } from '../../lib/schema/record-serializer.js'
import { compileRecordValidator } from '../../lib/schema/record-validator.js'

const TYPES = ['string', 'text', 'int', 'bigint', 'decimal', 'boolean', 'uuid', 'timestamp', 'date', 'json']

function entity (fields: number): EntityDef {
  const list: EntityDef['fields'] = [{ name: 'id', type: 'uuid' }]
  for (let i = 1; i < fields; i++) {
    list.push({ name: `f_${i}`, type: TYPES[i % TYPES.length] as string, ...(i % 7 === 0 ? { required: true } : {}), ...(i % 11 === 0 ? { type: 'string', enum: ['a', 'b'] } : {}), ...(i % 5 === 0 ? { nullable: false } : {}) })
  }
  list.push({ name: 'made', type: 'timestamp', auto: 'create' })
  return { name: 'wide', table: 'wides', primary_key: { field: 'id', type: 'uuid', generated: true }, fields: list }
}

t.test('the field-by-field validator reports what one Ajv compilation reports', async (t) => {
  const schemas = entityJsonSchemas(entity(120))
  const payloads: unknown[] = [
    {}, null, [], 'x', { f_1: 'ok' }, { f_1: 3, f_2: 'no', f_6: 'yes', f_11: 'c', f_7: null, id: 'not-a-uuid' },
    { f_8: 'not a date', f_9: '2026-13-45', f_10: { any: 'json' }, f_5: null, made: 'x' }, { f_7: 1, f_14: 2 }
  ]
  for (const [which, schema] of [['create', schemas.create], ['update', schemas.update]] as const) {
    const reference = ajv.compile(schema)
    const ours = compileRecordValidator(schema)
    for (const p of payloads) {
      const expected = reference(p)
      t.equal(ours(p), expected, `${which} ${JSON.stringify(p)}: same verdict`)
      t.same((ours.errors ?? []).map((e) => [e.instancePath, e.keyword, e.params]), (reference.errors ?? []).map((e) => [e.instancePath, e.keyword, e.params]), 'same errors')
    }
    ajv.removeSchema(schema)
  }
})

/** A value of field `f_<i>`'s output type. */
function sample (i: number): unknown {
  if (i % 11 === 0) return 'a'
  switch (TYPES[i % TYPES.length]) {
    case 'int': return i
    case 'boolean': return i % 2 === 0
    case 'json': return { n: i, list: [1, 'two'] }
    default: return `v${i} "quoted" \\ ü`
  }
}

t.test('the piecewise serializer writes what one fast-json-stringify serializer writes', async (t) => {
  const { output } = entityJsonSchemas(entity(173))
  const whole = fastJson(output) as (r: Record<string, unknown>) => string
  const pieces = new PiecewiseSerializer(output)
  const rows: Array<Record<string, unknown>> = [
    {}, { unknown: 1 }, { id: 'x', f_1: 'a', f_172: 172, made: new Date(0) },
    Object.fromEntries(Array.from({ length: 173 }, (_, i) => [`f_${i}`, i % 3 === 0 ? null : sample(i)]))
  ]
  for (const r of rows) t.equal(pieces.serialize(r), whole(r), `same text for ${Object.keys(r).length} keys`)
  await pieces.prepare()
  t.equal(pieces.serialize(rows[2] as Record<string, unknown>), whole(rows[2] as Record<string, unknown>), 'after prepare too')
})

t.test('registry: artifacts carried over while a definition is unchanged; relations serialized by their target', async (t) => {
  const author: EntityDef = { name: 'author', table: 'authors', primary_key: { field: 'id', type: 'int' }, fields: [{ name: 'id', type: 'int' }, { name: 'name', type: 'string' }] }
  const book: EntityDef = { name: 'book', table: 'books', primary_key: { field: 'id', type: 'int' }, fields: [{ name: 'id', type: 'int' }, { name: 'author_id', type: 'int' }, { name: 'title', type: 'string' }] }
  const rel = { name: 'books', type: 'one_to_many' as const, source: 'author', target: 'book', source_key: 'id', target_key: 'author_id', inverse_name: 'author' }
  const one = buildRegistry([author, book], [rel], 1)
  const two = buildRegistry([author, { ...book, fields: [...book.fields, { name: 'pages', type: 'int' }] }], [rel], 2, one)
  t.equal(two.entities.get('author')?.artifacts, one.entities.get('author')?.artifacts, 'unchanged entity: same compiled artifacts')
  t.not(two.entities.get('book')?.artifacts, one.entities.get('book')?.artifacts, 'changed entity: compiled anew')
  const a = two.entities.get('author')!
  t.equal(a.serializeRecord({ id: 1, name: 'Ann', secret: 'x', books: [{ id: 2, title: 'T', pages: 10, junk: true }] }),
    '{"id":1,"name":"Ann","books":[{"id":2,"title":"T","pages":10}]}')
  t.equal(two.entities.get('book')!.serializeRecord({ id: 2, author: null }), '{"id":2,"author":null}')
  t.equal(two.entities.get('book')!.serializeRecord({ author: { id: 1, name: 'Ann' } }), '{"author":{"id":1,"name":"Ann"}}', 'no leading comma when no own field is present')
})
