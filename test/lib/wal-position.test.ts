import t from 'tap'
import type { Sql } from '../../lib/db/connection.js'
import { parseLsn } from '../../lib/replicas/lsn.js'
import { WalPosition } from '../../lib/replicas/wal-position.js'
import { freshDatabase } from '../db-helper.js'

t.test('the commit position is at or past every commit before the call; concurrent callers share queries', async (t) => {
  const sql = await freshDatabase(t)
  await sql`CREATE TABLE w (id int)`
  const wal = new WalPosition((): Sql => sql)
  for (let i = 0; i < 20; i++) {
    await sql`INSERT INTO w VALUES (${i})`
    // The commit's end: what a replica must have replayed to show the row.
    const [committed] = await sql<Array<{ lsn: string }>>`SELECT pg_current_wal_insert_lsn()::text AS lsn`
    const after = await wal.after('default')
    t.ok((parseLsn(after) as bigint) >= (parseLsn(committed?.lsn ?? '0/0') as bigint), `round ${i}: ${after} ≥ ${committed?.lsn ?? ''}`)
  }
  const before = { ...wal.stats }
  const positions = await Promise.all(Array.from({ length: 50 }, async () => await wal.after('default')))
  t.equal(wal.stats.asked - before.asked, 50)
  t.ok(wal.stats.queries - before.queries <= 2, `50 concurrent writes answered by ${wal.stats.queries - before.queries} queries`)
  t.equal(new Set(positions).size <= 2, true, 'sharing the answers')
})

t.test('a failing read rejects its callers and does not block the next ones', async (t) => {
  const sql = await freshDatabase(t)
  let fail = true
  const flaky = {
    unsafe: (...args: Parameters<Sql['unsafe']>) => {
      if (fail) return Promise.reject(new Error('down'))
      return sql.unsafe(...args)
    }
  } as unknown as Sql
  const wal = new WalPosition(() => flaky)
  await t.rejects(wal.after('default'), /down/)
  fail = false
  t.match(await wal.after('default'), /^[0-9A-F]+\/[0-9A-F]+$/)
})

t.test('callers arriving while a query runs wait for the next one; a throwing caller does not stop the others', async (t) => {
  const sql = await freshDatabase(t)
  const wal = new WalPosition((): Sql => sql)
  const answered: string[] = []
  const first = new Promise<void>((resolve) => {
    wal.request('default', (_err, lsn) => {
      answered.push(`first ${lsn ?? ''}`)
      // Arrives while the first query's callers are being answered: a query of its own.
      wal.request('default', (_e, next) => { answered.push(`late ${next ?? ''}`); resolve() })
    })
  })
  await first
  t.equal(wal.stats.queries, 2)
  t.equal(answered.length, 2)
  const errors: unknown[] = []
  const onError = (err: unknown): void => { errors.push(err) }
  process.prependOnceListener('uncaughtException', onError)
  const rest = await new Promise<string | undefined>((resolve) => {
    wal.request('default', () => { throw new Error('caller bug') })
    wal.request('default', (_err, lsn) => { resolve(lsn) })
  })
  await new Promise((resolve) => setImmediate(resolve))
  process.removeListener('uncaughtException', onError)
  t.match(rest, /^[0-9A-F]+\/[0-9A-F]+$/, 'the second caller is answered')
  t.match(String(errors[0]), /caller bug/, 'the throw surfaces afterwards')
})
