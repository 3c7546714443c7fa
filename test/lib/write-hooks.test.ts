import t from 'tap'
import type { Test } from 'tap'
import { forbidden, validationFailed } from '../../lib/errors.js'
import type { CompiledEntity } from '../../lib/metadata/compiled.js'
import { createRecord, deleteRecord, updateRecord, type WriteDeps, type WriteHooks, type WriteNode } from '../../lib/write/index.js'
import { stopTestServer } from '../db-helper.js'
import { failure } from '../fixtures/failure.js'
import { writeFixture, type WriteFixture } from '../fixtures/schema-database.js'

t.teardown(stopTestServer)

const ENTITIES = [
  {
    name: 'order',
    table: 'orders',
    soft_delete: true,
    fields: [{ name: 'ref', type: 'string', required: true }, { name: 'total', type: 'decimal', precision: 2 }, { name: 'receipt', type: 'file' }]
  },
  { name: 'line', table: 'lines', fields: [{ name: 'order_id', type: 'uuid', required: true }, { name: 'sku', type: 'string', required: true }, { name: 'qty', type: 'int' }] }
]
const RELATIONS = [{ name: 'lines', type: 'one_to_many', source: 'order', target: 'line', target_key: 'order_id', on_delete: 'cascade', inverse_name: 'order' }]

interface Fixture extends WriteFixture {
  order: CompiledEntity
}

async function setup (t: Test, hooks: WriteHooks[], extra: Partial<WriteDeps> = {}): Promise<Fixture> {
  const f = await writeFixture(t, { entities: ENTITIES, relations: RELATIONS }, { user: { id: 'u1', email: 'u@x.y', roles: ['clerk'] }, hooks, ...extra })
  return { ...f, order: f.entity('order') }
}

/** A hook that records every call as `phase:action:entity:path`. */
function recorder (t: Test, calls: string[], rows?: Fixture['rows']): WriteHooks {
  const tag = (phase: string, n: WriteNode): string => `${phase}:${n.action}:${n.entity.name}:${n.path}`
  return {
    name: 'recorder',
    beforeWrite: async (node, ctx) => {
      calls.push(tag('before', node))
      ctx.state.set('seen', ((ctx.state.get('seen') as number | undefined) ?? 0) + 1)
      if (rows !== undefined) calls.push(`lines-in-db:${(await rows('SELECT id FROM lines')).length}`)
    },
    afterRow: (node, tx, ctx) => {
      t.ok(node.row, 'row is set in afterRow')
      t.ok(typeof tx.unsafe === 'function')
      t.equal(ctx.user?.id, 'u1')
      calls.push(tag('row', node))
    },
    afterCommit: (nodes, ctx) => {
      calls.push(`commit:${nodes.map((n) => `${n.action}:${n.path}`).join(',')}:seen=${String(ctx.state.get('seen'))}`)
    }
  }
}

t.test('hooks run in order: every beforeWrite, then rows, then afterCommit', async (t) => {
  const calls: string[] = []
  const f = await setup(t, [])
  f.deps.hooks = [recorder(t, calls, f.rows)]
  const created = await createRecord(f.deps, f.order, { ref: 'A', lines: [{ sku: 'x' }, { sku: 'y' }] })
  t.same(calls, [
    'before:create:order:', 'lines-in-db:0',
    'before:create:line:lines[0]', 'lines-in-db:0',
    'before:create:line:lines[1]', 'lines-in-db:0',
    'row:create:order:', 'row:create:line:lines[0]', 'row:create:line:lines[1]',
    'commit:create:,create:lines[0],create:lines[1]:seen=3'
  ])
  calls.length = 0
  const line = (await f.rows("SELECT id FROM lines WHERE sku = 'x'"))[0]?.id
  f.deps.hooks = [recorder(t, calls), {
    name: 'old-check',
    beforeWrite: (node) => {
      if (node.action === 'update' && node.entity.name === 'order') t.equal(node.old?.ref, 'A', 'update sees the locked current row')
    }
  }]
  await updateRecord(f.deps, f.order, String(created.id), { ref: 'B', lines: { _write_mode: 'replace', data: [{ id: line, qty: 2 }] } })
  t.same(calls, [
    'before:update:order:', 'before:delete:line:lines', 'before:update:line:lines[0]',
    'row:update:order:', 'row:delete:line:lines', 'row:update:line:lines[0]',
    'commit:update:,delete:lines,update:lines[0]:seen=3'
  ])
  calls.length = 0
  await deleteRecord(f.deps, f.order, String(created.id))
  t.same(calls, [
    'before:delete:order:', 'before:delete:line:lines[0]',
    'row:delete:line:lines[0]', 'row:delete:order:',
    'commit:delete:,delete:lines[0]:seen=2'
  ], 'delete: children written before the parent')
})

t.test('beforeWrite may change values', async (t) => {
  const f = await setup(t, [{
    name: 'computed',
    beforeWrite: (node) => {
      if (node.entity.name === 'order') node.values.total = '42.5'
      if (node.entity.name === 'line') node.values.qty = 7
      node.values.not_a_field = 'ignored by the SQL'
    }
  }])
  const row = await createRecord(f.deps, f.order, { ref: 'A', lines: [{ sku: 'x' }] })
  t.equal(row.total, '42.50')
  t.same(await f.rows('SELECT qty FROM lines'), [{ qty: 7 }])
})

t.test('a throwing beforeWrite aborts the unit: nothing written', async (t) => {
  const f = await setup(t, [{
    name: 'rules',
    beforeWrite: (node) => {
      if (node.entity.name === 'line' && node.values.sku === 'bad') {
        throw validationFailed('Rule failed', [{ field: `${node.path}.sku`, rule: 'expression', message: 'no bad skus' }])
      }
    }
  }])
  const err = await failure(createRecord(f.deps, f.order, { ref: 'A', lines: [{ sku: 'ok' }, { sku: 'bad' }] }))
  t.equal(err.statusCode, 422)
  t.match(err.details, [{ field: 'lines[1].sku' }])
  t.same(await f.rows('SELECT id FROM orders'), [])
  t.same(await f.rows('SELECT id FROM lines'), [])
  const single = await setup(t, [{ name: 'deny', beforeWrite: () => { throw forbidden('nope') } }])
  t.equal((await failure(createRecord(single.deps, single.order, { ref: 'A' }))).statusCode, 403)
  t.same(await single.rows('SELECT id FROM orders'), [])
})

t.test('a throwing afterRow rolls back; a throwing afterCommit is only reported', async (t) => {
  const f = await setup(t, [{
    name: 'audit',
    afterRow: (node) => { if (node.entity.name === 'line') throw new Error('audit failed') }
  }])
  await t.rejects(createRecord(f.deps, f.order, { ref: 'A', lines: [{ sku: 'x' }] }), { message: 'audit failed' })
  t.same(await f.rows('SELECT id FROM orders'), [])
  const reported: string[] = []
  const g = await setup(t, [{ name: 'webhooks', afterCommit: () => { throw new Error('dispatch failed') } }], {
    onHookError: (err, hook) => { reported.push(`${hook}:${(err as Error).message}`) }
  })
  const row = await createRecord(g.deps, g.order, { ref: 'A' })
  t.equal(row.ref, 'A')
  t.same(reported, ['webhooks:dispatch failed'])
  t.equal((await g.rows('SELECT id FROM orders')).length, 1)
})

t.test('resolveFileValue seam replaces the stored file value', async (t) => {
  const seen: string[] = []
  const f = await setup(t, [], {
    resolveFileValue: (value, at) => {
      seen.push(`${at.entity.name}.${at.field.name}@${at.path}`)
      return { id: value, filename: 'resolved.pdf', size: 3, mime_type: 'application/pdf' }
    }
  })
  const id = '3f0c1c51-27c4-4c1f-9a43-7c1e1f5d8a10'
  const row = await createRecord(f.deps, f.order, { ref: 'A', receipt: id })
  t.same(row.receipt, { id, filename: 'resolved.pdf', size: 3, mime_type: 'application/pdf' })
  t.same(seen, ['order.receipt@receipt'])
})
