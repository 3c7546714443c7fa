import t from 'tap'
import type { Sql } from '../../lib/db/connection.js'
import { kyselyFor } from '../../lib/db/kysely.js'
import { migrateToLatest } from '../../lib/db/migrate.js'
import { claimLogs, insertPendingLog, recordOutcome } from '../../lib/webhooks/outbox.js'
import { freshDatabase, stopTestServer } from '../db-helper.js'

t.teardown(stopTestServer)

async function appDatabase (t: Parameters<typeof freshDatabase>[0]): Promise<Sql> {
  const sql = await freshDatabase(t)
  await migrateToLatest(kyselyFor(sql), 'app')
  return sql
}

async function queue (sql: Sql, n: number, graceMs = -1000): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    ids.push(await insertPendingLog(sql, {
      webhookId: null, entity: 'e', hook: 'after_write', url: 'http://x.test', method: 'POST', headers: {}, body: { i }, idempotencyKey: `k${i}`, maxAttempts: 3
    }, graceMs))
  }
  return ids
}

t.test('concurrent claims get disjoint rows (FOR UPDATE SKIP LOCKED)', async (t) => {
  const sql = await appDatabase(t)
  const ids = await queue(sql, 40)
  const [one, two] = await Promise.all([
    claimLogs(sql, { limit: 25, leaseMs: 60_000 }),
    claimLogs(sql, { limit: 25, leaseMs: 60_000 })
  ])
  const a = new Set(one.map((r) => r.id))
  const b = new Set(two.map((r) => r.id))
  t.equal([...a].filter((id) => b.has(id)).length, 0, 'no row claimed twice')
  t.equal(a.size + b.size, 40, 'every due row claimed once')
  t.same(new Set([...a, ...b]), new Set(ids))
  t.ok([...one, ...two].every((r) => r.attempt === 1), 'the claim counts the attempt')
  t.same(await claimLogs(sql, { limit: 100, leaseMs: 60_000 }), [], 'leased rows are not claimable again')
})

t.test('rows in their grace period wait for their writer; claiming by id does not', async (t) => {
  const sql = await appDatabase(t)
  const [fresh] = await queue(sql, 1, 60_000)
  t.same(await claimLogs(sql, { limit: 10, leaseMs: 1000 }), [], 'not due for the scheduler yet')
  const mine = await claimLogs(sql, { limit: 10, leaseMs: 1000, ids: [fresh as string] })
  t.equal(mine.length, 1)
  t.same(await claimLogs(sql, { limit: 10, leaseMs: 1000, ids: [fresh as string] }), [], 'claimed once')
})

t.test('an expired lease makes the row claimable again; stale outcomes are dropped', async (t) => {
  const sql = await appDatabase(t)
  await queue(sql, 1)
  const [first] = await claimLogs(sql, { limit: 1, leaseMs: -1 })
  if (first === undefined) throw new Error('nothing claimed')
  const [again] = await claimLogs(sql, { limit: 1, leaseMs: 60_000 })
  t.equal(again?.id, first.id, 'the dead claimer\'s row comes back')
  t.equal(again?.attempt, 2)
  await recordOutcome(sql, first, { result: { ok: true, status: 200, body: 'late', error: null }, status: 'delivered', retryInMs: null })
  const [row] = await sql`SELECT status, response_body FROM _webhook_logs WHERE id = ${first.id}`
  t.equal(row?.status, 'pending', 'the outcome of a superseded attempt is ignored')
  if (again !== undefined) await recordOutcome(sql, again, { result: { ok: true, status: 200, body: 'a\0b', error: null }, status: 'delivered', retryInMs: null })
  const [done] = await sql`SELECT status, response_body FROM _webhook_logs WHERE id = ${first.id}`
  t.match(done, { status: 'delivered', response_body: 'ab' }, 'NUL stripped from the stored body')
})
