import type { PendingQuery, Row } from 'postgres'
import type { Sql, TransactionSql } from '../db/connection.js'

type Deferred = PendingQuery<Row[]>

/** Statements of open units to send together with their COMMIT (see `atCommit`). */
const tails = new WeakMap<object, Deferred[]>()

/**
 * `sql.begin(work)` with fewer round trips. postgres.js awaits BEGIN on its own before running
 * `work`; here BEGIN is only started, so it leaves in the same packet as the unit's first
 * statement (postgres.js writes every query issued before its next I/O turn in one write), and
 * the statements queued with `atCommit` leave in the same packet as COMMIT. On failure
 * ROLLBACK and rethrow. The connection is reserved for the unit and released afterwards.
 *
 * `work` gets the reserved connection typed as a transaction: it runs inside BEGIN/COMMIT like
 * one, but has no `savepoint`/`prepare` (the write path uses neither).
 */
export async function transaction<T> (sql: Sql, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  const reserved = await sql.reserve()
  const tx = reserved as unknown as TransactionSql
  tails.set(tx, [])
  try {
    // BEGIN cannot fail on an idle connection short of the connection dying, which fails the
    // pipelined statements too; it is still awaited before COMMIT so no failure goes unseen.
    const begun = reserved.unsafe('BEGIN').execute()
    // Handled from the start: a rejection while `work` runs must not count as unhandled.
    begun.catch(() => {})
    let result: T
    try {
      result = await work(tx)
      await begun
    } catch (err) {
      await begun.catch(() => {})
      await reserved.unsafe('ROLLBACK').catch(() => {})
      throw err
    }
    await commit(reserved, tails.get(tx) ?? [])
    return result
  } finally {
    tails.delete(tx)
    reserved.release()
  }
}

/**
 * Sends the queued statements and COMMIT in one packet. A failing statement aborts the
 * transaction, so PostgreSQL answers the COMMIT with a rollback: the statement's error is
 * thrown and nothing of the unit is kept.
 */
async function commit (reserved: { unsafe: Sql['unsafe'] }, queued: Deferred[]): Promise<void> {
  const sent = queued.map((q) => q.execute())
  const done = reserved.unsafe('COMMIT').execute()
  const results = await Promise.allSettled([...sent, done])
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed !== undefined) throw failed.reason
}

/**
 * Runs `query` — a postgres.js query built on `tx` and not yet awaited — as part of the unit's
 * commit, when `tx` was opened by `transaction`: for writes nobody reads back within the unit
 * (audit rows, outbox rows), it saves their round trip. A failure still rolls the unit back.
 * Elsewhere the query simply runs now.
 */
export async function atCommit (tx: TransactionSql, query: Deferred): Promise<void> {
  const queue = tails.get(tx)
  if (queue === undefined) await query
  else queue.push(query)
}
