import t from 'tap'
import type { Sql } from '../../lib/db/connection.js'
import { kyselyFor } from '../../lib/db/kysely.js'
import { migrateToLatest } from '../../lib/db/migrate.js'
import { readSettled, settledNewestId, type FeedCursor } from '../../lib/realtime/changes.js'
import { freshDatabase, stopTestServer } from '../db-helper.js'

t.teardown(stopTestServer)
// The reader's rule waits for the cluster-wide snapshot xmin, which other test files' open
// transactions on the run's shared server would hold back: this file gets a server of its own.
delete process.env.TEST_DATABASE_URL

/**
 * The reader's ordering rule (lib/realtime/changes.ts) against real concurrent transactions:
 * a writer as the engine's row statements are, with an xid before its change id.
 */
async function appDatabase (t: Parameters<typeof freshDatabase>[0]): Promise<Sql> {
  const sql = await freshDatabase(t)
  await migrateToLatest(kyselyFor(sql), 'app')
  return sql
}

interface Held { inserted: Promise<number>, commit: () => Promise<void>, rollback: () => Promise<void> }

/** Opens a transaction that takes an xid (as a data write does), then inserts a change, and waits. */
function held (sql: Sql, label: string, opts: { xidFirst?: Promise<void> } = {}): Held {
  let finish: (ok: boolean) => void = () => {}
  const decided = new Promise<boolean>((resolve) => { finish = resolve })
  let reportId: (id: number) => void = () => {}
  const inserted = new Promise<number>((resolve) => { reportId = resolve })
  const done = sql.begin(async (tx) => {
    await tx`SELECT pg_current_xact_id()`
    if (opts.xidFirst !== undefined) await opts.xidFirst
    const [row] = await tx<Array<{ id: string }>>`INSERT INTO _changes (entity, record_id, action, record) VALUES ('e', ${label}, 'create', '{}') RETURNING id::text AS id`
    reportId(Number(row?.id))
    if (!(await decided)) throw new Error('rollback')
  }).catch(() => {})
  return {
    inserted,
    commit: async () => { finish(true); await done },
    rollback: async () => { finish(false); await done }
  }
}

const start: FeedCursor = { after: 0, wait: null }

t.test('a later id committed first waits for the earlier one; both then arrive in id order', async (t) => {
  const sql = await appDatabase(t)
  const a = held(sql, 'a')
  const idA = await a.inserted
  const b = held(sql, 'b')
  const idB = await b.inserted
  t.ok(idB > idA)
  await b.commit()
  const r1 = await readSettled(sql, start, 100)
  t.same(r1.rows, [], `id ${idB} is held back while ${idA} may still commit`)
  t.ok(r1.cursor.wait !== null)
  await a.commit()
  const r2 = await readSettled(sql, r1.cursor, 100)
  t.same(r2.rows.map((r) => r.record_id), ['a', 'b'])
  t.equal(r2.cursor.after, idB)
  t.equal(r2.cursor.wait, null)
})

t.test('an older transaction committing a later id never jumps ahead of a newer transaction\'s earlier id', async (t) => {
  // xmin-only readers (xid < snapshot xmin) fail here: B's xid is older than A's, B commits id 2
  // while A (id 1) still runs, so xmin is A's xid and B's row passes the test.
  const sql = await appDatabase(t)
  let releaseB: () => void = () => {}
  const bMayInsert = new Promise<void>((resolve) => { releaseB = resolve })
  const b = held(sql, 'b', { xidFirst: bMayInsert })
  await new Promise((resolve) => setTimeout(resolve, 100))
  const a = held(sql, 'a')
  const idA = await a.inserted
  releaseB()
  const idB = await b.inserted
  t.ok(idB > idA)
  await b.commit()
  const r1 = await readSettled(sql, start, 100)
  t.same(r1.rows, [], 'B waits for A')
  await a.commit()
  const r2 = await readSettled(sql, r1.cursor, 100)
  t.same(r2.rows.map((r) => r.record_id), ['a', 'b'])
})

t.test('a rolled-back id is skipped once every transaction that could hold it has ended', async (t) => {
  const sql = await appDatabase(t)
  const a = held(sql, 'a')
  await a.inserted
  const b = held(sql, 'b')
  await b.inserted
  await b.commit()
  const r1 = await readSettled(sql, start, 100)
  t.same(r1.rows, [])
  await a.rollback()
  const r2 = await readSettled(sql, r1.cursor, 100)
  t.same(r2.rows.map((r) => r.record_id), ['b'])
  const c = held(sql, 'c')
  await c.inserted
  await c.commit()
  const r3 = await readSettled(sql, r2.cursor, 100)
  t.same(r3.rows.map((r) => r.record_id), ['c'], 'dense ids continue without waiting')
})

t.test('batches: more is reported when the limit is reached', async (t) => {
  const sql = await appDatabase(t)
  for (let i = 0; i < 5; i++) await sql`INSERT INTO _changes (entity, record_id, action, record) VALUES ('e', ${String(i)}, 'create', '{}')`
  const r1 = await readSettled(sql, start, 3)
  t.equal(r1.rows.length, 3)
  t.equal(r1.more, true)
  const r2 = await readSettled(sql, r1.cursor, 3)
  t.same(r2.rows.map((r) => r.record_id), ['3', '4'])
  t.equal(r2.more, false)
})

t.test('a new feed starts only once every id below the newest one is settled', async (t) => {
  const sql = await appDatabase(t)
  const a = held(sql, 'a')
  await a.inserted
  const b = held(sql, 'b')
  const idB = await b.inserted
  await b.commit()
  let settledAt = 0
  const start = settledNewestId(sql, { stepMs: 10 }).then((id) => { settledAt = Date.now(); return id })
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(settledAt, 0, 'still waiting while the transaction holding the smaller id runs')
  const committedAt = Date.now()
  await a.commit()
  t.equal(await start, idB)
  t.ok(settledAt >= committedAt)
})
