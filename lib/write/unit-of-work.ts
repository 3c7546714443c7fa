import type { TransactionSql } from '../db/connection.js'
import { notFound, preconditionFailed } from '../errors.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { RecordLookup, WriteDeps } from './types.js'
import { transaction } from './transaction.js'

/**
 * Several writes as ONE transaction (`If-Match` checks, bulk creates, `POST /_batch`): each
 * write joins it through `WriteDeps.within` with every hook, rule, state machine and permission
 * check it runs alone; their after-commit work runs once everything has committed.
 */
export async function inOneTransaction<T> (deps: WriteDeps, work: (joined: WriteDeps, tx: TransactionSql) => Promise<T>): Promise<T> {
  const deferred: Array<() => Promise<void>> = []
  const result = await transaction(deps.sql, async (tx) => {
    const joined: WriteDeps = { ...deps, within: { tx, defer: (w) => { deferred.push(w) }, depth: 0 } }
    return await work(joined, tx)
  })
  for (const w of deferred) {
    try {
      await w()
    } catch (err) {
      deps.onHookError?.(err, 'after-commit')
    }
  }
  return result
}

/**
 * A write under `If-Match`: locks the live record, reads its row version, runs the write (which
 * does its own permission checks first, so a hidden record stays a 404, never a 412), and
 * rolls it back with 412 when the version is not one the client holds.
 */
export async function writeIfMatch<T> (deps: WriteDeps, target: { entity: CompiledEntity, lookup: RecordLookup, accepted: ReadonlySet<string> | '*' }, write: (joined: WriteDeps) => Promise<T>): Promise<T> {
  const { entity, lookup, accepted } = target
  return await inOneTransaction(deps, async (joined, tx) => {
    const live = entity.softDelete ? ' AND "deleted_at" IS NULL' : ''
    const text = `SELECT xmin::text AS v FROM ${entity.table} WHERE ${lookup.field.column} = $1${live} FOR UPDATE`
    const rows = await tx.unsafe<Array<{ v: string }>>(text, [lookup.value] as never[])
    const version = rows[0]?.v
    const result = await write(joined)
    if (version === undefined) throw notFound(`${entity.name} '${String(lookup.value)}' not found`)
    if (accepted !== '*' && !accepted.has(version)) {
      throw preconditionFailed(`${entity.name} '${String(lookup.value)}' has changed since the ETag given in If-Match`)
    }
    return result
  })
}
