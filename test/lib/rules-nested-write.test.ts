import t from 'tap'
import type { Test } from 'tap'
import type { AppContext } from '../../lib/apps/context.js'
import type { ApiError } from '../../lib/errors.js'
import { dispatchSideEffects, type ActionHandler, type SideEffect } from '../../lib/state-machines/side-effects.js'
import { MAX_NESTED_WRITES } from '../../lib/write/execute.js'
import { createRecord, type WriteHooks } from '../../lib/write/index.js'
import { stopTestServer } from '../db-helper.js'
import { writeFixture, type WriteFixture } from '../fixtures/schema-database.js'

t.teardown(stopTestServer)

const ENTITIES = [
  { name: 'doc', table: 'docs', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }] },
  { name: 'log', table: 'logs', fields: [{ name: 'id', type: 'uuid' }, { name: 'doc_id', type: 'uuid' }, { name: 'text', type: 'string', required: true, unique: true }] }
]

interface Fixture extends WriteFixture {
  count: (table: string) => Promise<number>
}

async function setup (t: Test, hooks: WriteHooks[]): Promise<Fixture> {
  const f = await writeFixture(t, { entities: ENTITIES }, { user: { id: 'u1', email: 'u@x.y', roles: [] }, hooks })
  return { ...f, count: async (table) => Number((await f.rows(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n) }
}

t.test('WriteUnit.createRecord joins the transaction; its after-commit work waits for the outer commit', async (t) => {
  const calls: string[] = []
  const hooks: WriteHooks[] = [{
    name: 'audit',
    beforeWrite: (node, unit) => { calls.push(`before:${node.entity.name}:tx=${String(unit.tx !== null)}`) },
    afterRow: async (node, _tx, unit) => {
      calls.push(`row:${node.entity.name}`)
      const log = unit.registry.entities.get('log')
      if (node.entity.name === 'doc' && log !== undefined) {
        const row = await unit.createRecord(log, { doc_id: node.row?.id, text: String(node.values.title) }, { user: null })
        calls.push(`created:${typeof row.id}`)
      }
    },
    afterCommit: (nodes, unit) => { calls.push(`commit:${nodes.map((n) => n.entity.name).join(',')}:user=${unit.user?.id ?? 'none'}:tx=${String(unit.tx !== null)}`) }
  }]
  const f = await setup(t, hooks)
  await createRecord(f.deps, f.entity('doc'), { title: 'first' })
  // A lone insert runs beforeWrite before its transaction opens (nothing to lock); the nested write joins the open one.
  t.same(calls, ['before:doc:tx=false', 'row:doc', 'before:log:tx=true', 'row:log', 'created:string', 'commit:doc:user=u1:tx=false', 'commit:log:user=none:tx=false'])
  t.equal(await f.count('logs'), 1)
  calls.length = 0
  const err = await createRecord(f.deps, f.entity('doc'), { title: 'first' }).catch((e: unknown) => e as ApiError)
  t.equal((err as ApiError).statusCode, 409, 'the nested insert failed (unique text)')
  t.equal(await f.count('docs'), 1, 'and the outer insert was rolled back with it')
  t.notOk(calls.some((c) => c.startsWith('commit')), 'no after-commit work for a rolled-back unit')
})

t.test('needsAfterRow: a lone insert nobody needs the row of skips afterRow and the transaction', async (t) => {
  const rows: string[] = []
  const f = await setup(t, [{
    name: 'occasional',
    afterRow: (node, tx) => { rows.push(`${String(node.values.title)}:${typeof tx.unsafe}`) },
    needsAfterRow: (node) => node.values.title === 'wanted'
  }])
  await createRecord(f.deps, f.entity('doc'), { title: 'skipped' })
  await createRecord(f.deps, f.entity('doc'), { title: 'wanted' })
  t.same(rows, ['wanted:function'])
  t.equal(await f.count('docs'), 2)
})

t.test('nested writes are bounded; createRecord outside a transaction is refused', async (t) => {
  const loop: WriteHooks = {
    name: 'loop',
    afterRow: async (node, _tx, unit) => { await unit.createRecord(node.entity, { title: 'again' }) }
  }
  const f = await setup(t, [loop])
  const err = await createRecord(f.deps, f.entity('doc'), { title: 'x' }).catch((e: unknown) => e as ApiError)
  t.equal((err as ApiError).statusCode, 422)
  t.match((err as ApiError).message, new RegExp(`deeper than ${MAX_NESTED_WRITES}`))
  t.equal(await f.count('docs'), 0)
  const early: WriteHooks = { name: 'early', beforeWrite: async (node, unit) => { await unit.createRecord(node.entity, { title: 'y' }) } }
  const g = await setup(t, [early])
  await t.rejects(createRecord(g.deps, g.entity('doc'), { title: 'x' }), /open transaction/, 'a lone insert has no transaction to join')
})

t.test('side effects: handlers by type, an unhandled type is an error, failures aggregated', async (t) => {
  const effect = (type: string, to: string): SideEffect => ({
    type, to, from: 'a', action: { type }, app: { name: 'unit_effects' } as unknown as AppContext, entity: 'doc', field: 'state', record: {}, user: null, at: new Date(0).toISOString()
  })
  const seen: string[] = []
  const recording = new Map<string, ActionHandler>([['unit_hook', (e) => { seen.push(e.to) }]])
  await t.rejects(dispatchSideEffects(recording, [effect('unit_hook', 'b'), effect('unit_event', 'c')]), /no handler for 'unit_event'/)
  t.same(seen, ['b'], 'the handled effect ran although another had no handler')
  const failing = new Map<string, ActionHandler>([['unit_hook', () => { throw new Error('down') }]])
  await t.rejects(dispatchSideEffects(failing, [effect('unit_hook', 'd')]), { message: 'down' })
  await t.rejects(dispatchSideEffects(failing, [effect('unit_hook', 'f'), effect('unit_hook', 'g')]), AggregateError)
  await dispatchSideEffects(recording, [effect('unit_hook', 'h')])
  t.same(seen, ['b', 'h'], 'each engine dispatches to its own handlers')
  await t.rejects(dispatchSideEffects(new Map(), [effect('unit_hook', 'i')]), /no handler/, 'a type no module handles is refused')
})
