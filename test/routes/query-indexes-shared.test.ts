import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { withDatabase } from '../../lib/db/connection.js'
import { stopTestServer, testServerUrl } from '../db-helper.js'
import { createTestApp, type TestApp } from '../helper.js'

/** Declared index status is kept in PostgreSQL (`_declared_indexes`): every process reports the same. */

t.teardown(stopTestServer)
type Row = Record<string, unknown>

let one: FastifyInstance
let two: FastifyInstance
let a: TestApp

t.before(async () => {
  const url = withDatabase(await testServerUrl(), `rocket_mgmt_${randomBytes(4).toString('hex')}`)
  const config = loadConfig({ LOG_LEVEL: 'silent' }, { databaseUrl: url })
  one = await buildApp({ config })
  two = await buildApp({ config })
  a = await createTestApp(one, 'qis')
})
t.teardown(async () => { await one?.close(); await two?.close() })

async function statusVia (server: FastifyInstance): Promise<Row[]> {
  const res = await server.inject({ method: 'GET', url: `/api/${a.name}/_admin/entities/invoice/indexes`, headers: { authorization: `Bearer ${a.admin}` } })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json().data as Row[]
}

/** Polls process two (which never ran the build) until it knows `count` indexes and none is building. */
async function settledOnTwo (count: number): Promise<Row[]> {
  for (let i = 0; i < 100; i++) {
    const data = await statusVia(two)
    if (data.length === count && data.every((d) => d.status !== 'building')) return data
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('indexes never settled')
}

const base = {
  name: 'invoice',
  table: 'invoices',
  fields: [{ name: 'id', type: 'uuid' }, { name: 'number', type: 'string' }, { name: 'status', type: 'string' }, { name: 'created_at', type: 'timestamp', auto: 'create' }]
}

t.test('a build run by one process is reported ready, then failed, by the other', async (t) => {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { ...base, indexes: [{ name: 'inv_status_created', fields: ['status', '-created_at'] }] } })
  t.equal(created.statusCode, 201, created.body)
  t.same((await settledOnTwo(1)).map((s) => [s.name, s.status]), [['inv_status_created', 'ready']])
  t.same(await statusVia(one), await statusVia(two), 'both processes agree')

  for (const n of ['N1', 'N1']) t.equal((await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: n } })).statusCode, 201)
  const indexes = [{ name: 'inv_status_created', fields: ['status', '-created_at'] }, { name: 'inv_number_unique', fields: ['number'], unique: true }]
  t.equal((await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/invoice', payload: { ...base, indexes } })).statusCode, 200)
  const after = await settledOnTwo(2)
  const failed = after.find((s) => s.name === 'inv_number_unique')
  t.equal(failed?.status, 'failed', 'the other process sees the failure')
  t.match(failed?.error, /duplicate|unique/i, 'with the build\'s error')
  t.same(await statusVia(one), after, 'both processes agree')
})

t.test('a build whose process died is reported failed (interrupted), not building forever', async (t) => {
  const ctx = await two.platform.apps.get(a.name)
  if (ctx === null) throw new Error('no app')
  // What a process killed mid-build leaves: an invalid index and its status still `building`.
  await ctx.sql.unsafe('CREATE UNIQUE INDEX CONCURRENTLY inv_number_unique ON invoices (number)').catch(() => {})
  await ctx.sql`UPDATE _declared_indexes SET status = 'building', error = NULL WHERE name = 'inv_number_unique'`
  const [row] = await ctx.sql<Array<{ valid: boolean }>>`SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'inv_number_unique'`
  t.equal(row?.valid, false, 'an invalid index is left in the catalog')
  const status = (await statusVia(one)).find((s) => s.name === 'inv_number_unique')
  t.equal(status?.status, 'failed')
  t.match(status?.error, /interrupted/)
  t.same(await statusVia(two), await statusVia(one))
})

t.test('removing a declared index removes its status row', async (t) => {
  t.equal((await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/invoice', payload: { ...base, indexes: [] } })).statusCode, 200)
  const ctx = await one.platform.apps.get(a.name)
  if (ctx === null) throw new Error('no app')
  let left = -1
  for (let i = 0; i < 50; i++) {
    left = (await ctx.sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM _declared_indexes`)[0]?.n ?? -1
    if (left === 0) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.equal(left, 0)
  t.same(await settledOnTwo(0), [])
})
