// The admin UI's pure conversions (admin/src): entity form ↔ metadata, list state → query string,
// relation edges as the engine names them, record form values → API payloads.
import t from 'tap'
import { defFromDraft, draftFromDef, fieldIndexOf, withTimestamps } from '../../admin/src/pages/entities/entity-form.js'
import { edgesOf } from '../../admin/src/pages/records/edges.js'
import { listQuery, nextSort } from '../../admin/src/pages/records/list-query.js'
import { payloadOf } from '../../admin/src/pages/records/record-values.js'
import type { EntityDef, FieldDef, RelationDef } from '../../lib/metadata/types.js'

t.test('entity form: a stored definition round-trips, keys the form does not edit included', async (t) => {
  const def = {
    name: 'ticket',
    table: 'tickets',
    primary_key: { field: 'id', type: 'int', generated: false },
    soft_delete: true,
    description: 'kept as is',
    slug: { field: 'handle', source: 'title', regenerate_on_update: true },
    fields: [
      { name: 'id', type: 'int' },
      { name: 'title', type: 'string', required: true, max_length: 80, label: 'Title' },
      { name: 'handle', type: 'string', unique: true },
      { name: 'priority', type: 'int', enum: [1, 2, 3], default: 2 },
      { name: 'amount', type: 'decimal', precision: 12, scale: 2 },
      { name: 'meta', type: 'json', default: { a: [1] } },
      { name: 'opened_at', type: 'timestamp', auto: 'create' },
      { name: 'deleted_at', type: 'timestamp' }
    ]
  } as unknown as EntityDef
  const draft = draftFromDef(def)
  t.notOk(draft.fields.some((f) => f.name === 'deleted_at'), 'deleted_at belongs to soft delete, not the fields table')
  const { def: out, errors } = defFromDraft(draft)
  t.same(errors, {})
  t.same(out, { ...def, fields: def.fields.filter((f) => f.name !== 'deleted_at') }, 'same definition back')
  const handle = draft.fields.find((f) => f.name === 'handle')
  if (handle !== undefined) handle.unique = false
  t.match(defFromDraft(draft).def.fields, [{}, {}, { name: 'handle', unique: true }], 'the slug field is sent unique, as the engine requires')
})

t.test('entity form: conversion problems are reported under the API error paths', async (t) => {
  const draft = draftFromDef({ name: 'x', table: 'x', primary_key: { field: 'id', type: 'uuid', generated: true }, fields: [{ name: 'id', type: 'uuid' }, { name: 'n', type: 'int', default: 1 }, { name: 'j', type: 'json' }] })
  const n = draft.fields[1]
  const j = draft.fields[2]
  if (n === undefined || j === undefined) throw new Error('fields missing')
  n.defaultText = '1.5'
  j.defaultText = '{oops'
  const { errors } = defFromDraft(draft)
  t.same(Object.keys(errors).sort(), ['fields.j.default', 'fields.n.default'])
  t.equal(fieldIndexOf('fields.n.default', draft), 1)
  t.equal(fieldIndexOf('fields[2].name', draft), 2)
  t.equal(fieldIndexOf('name', draft), -1)
  t.same(withTimestamps(draft.fields, true).slice(-2).map((f) => [f.name, f.auto]), [['created_at', 'create'], ['updated_at', 'update']])
})

t.test('list query: filters, sort, page, include', async (t) => {
  t.same(listQuery({
    filters: [{ field: 'status', op: 'eq', value: 'paid' }, { field: 'total', op: 'gte', value: '10' }, { field: '', op: 'eq', value: 'x' }],
    sort: { field: 'created_at', desc: true },
    page: 2,
    perPage: 10,
    include: ['customer', 'items'],
    search: '',
    fields: []
  }), { page: 2, per_page: 10, 'filter[status]': 'paid', 'filter[total.gte]': '10', sort: '-created_at', include: 'customer,items' })
  // OR members renumbered densely; search and fields= passed through.
  t.same(listQuery({
    filters: [{ field: 'status', op: 'eq', value: 'paid', or: 2 }, { field: 'total', op: 'gte', value: '10', or: 2 }, { field: 'status', op: 'eq', value: 'void', or: 0 }, { field: 'number', op: 'like', value: 'A%' }],
    sort: null,
    page: 1,
    perPage: 25,
    include: [],
    search: 'widget',
    fields: ['number', 'total']
  }), {
    page: 1,
    per_page: 25,
    'filter[or][1][status]': 'paid',
    'filter[or][1][total.gte]': '10',
    'filter[or][0][status]': 'void',
    'filter[number.like]': 'A%',
    search: 'widget',
    fields: 'number,total'
  })
  t.same(nextSort(null, 'a'), { field: 'a', desc: false })
  t.same(nextSort({ field: 'a', desc: false }, 'a'), { field: 'a', desc: true })
  t.equal(nextSort({ field: 'a', desc: true }, 'a'), null)
})

t.test('edges: both directions, named as include= and nested writes name them', async (t) => {
  const relations = [
    { name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', source_key: 'id', target_key: 'customer_id', inverse_name: 'customer' },
    { name: 'tags', type: 'many_to_many', source: 'invoice', target: 'tag', source_key: 'id', target_key: 'id' }
  ] as RelationDef[]
  t.same(edgesOf('invoice', relations).map((e) => [e.name, e.kind, e.to]), [['customer', 'belongs_to', 'customer'], ['tags', 'many_to_many', 'tag']])
  t.same(edgesOf('customer', relations).map((e) => [e.name, e.kind, e.remoteKey]), [['invoices', 'has_many', 'customer_id']])
  t.same(edgesOf('tag', relations).map((e) => e.name), ['tags'], 'no inverse name: the relation name')
})

t.test('record payloads: create sends what is filled, update what changed', async (t) => {
  const fields: FieldDef[] = [{ name: 'n', type: 'int' }, { name: 'd', type: 'decimal' }, { name: 'ok', type: 'boolean' }, { name: 'at', type: 'timestamp' }, { name: 'f', type: 'file' }]
  const file = { id: '0b0e7e1c-1f9c-4a8e-9d3c-2f1a0e9b8c7d', filename: 'a.txt', size: 1, mime_type: 'text/plain' }
  const created = payloadOf(fields, { n: '3', d: '1.50', ok: 'false', at: '', f: file }, null)
  t.same(created, { body: { n: 3, d: '1.50', ok: false, f: file.id }, errors: {} })
  const updated = payloadOf(fields, { n: '4', d: '1.50', ok: 'false', at: '', f: null }, { n: '3', d: '1.50', ok: 'false', at: '', f: file })
  t.same(updated.body, { n: 4, f: null }, 'unchanged values are left out; a cleared file is null')
  t.same(payloadOf(fields, { n: 'x' }, null).errors, { n: 'must be an integer' })
})
