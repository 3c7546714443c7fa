import type { EngineModule } from '../engine/modules.js'
import type { TransactionSql } from '../db/connection.js'
import { UUID_RE } from '../fields/spec.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import { atCommit } from '../write/transaction.js'

type Row = Record<string, unknown>

/** Same value as PostgreSQL returned it twice (old row vs RETURNING): Dates and JSON by content. */
function same (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) return JSON.stringify(a) === JSON.stringify(b)
  return false
}

/**
 * What an audit row records (SPEC §8): on create the written fields with their stored values,
 * on update `{field: {old, new}}` for the written fields whose value changed, on delete the old
 * row. Values are taken from rows PostgreSQL returned (never from the payload) so that a
 * timestamp or decimal written in another spelling is not reported as a change. Null when an
 * update changed nothing: there is nothing to audit.
 */
export function auditChanges (node: WriteNode): Row | null {
  const { entity, values } = node
  const row = node.row ?? null
  const old = node.old
  if (node.action === 'delete') return old
  if (row === null) return null
  const out: Row = {}
  for (const f of entity.fieldList) {
    if (node.action === 'create') {
      if (f.isPk || Object.hasOwn(values, f.name)) out[f.name] = row[f.name] ?? null
    } else if (old !== null && Object.hasOwn(values, f.name) && !same(old[f.name], row[f.name])) {
      out[f.name] = { old: old[f.name] ?? null, new: row[f.name] ?? null }
    }
  }
  return node.action === 'update' && Object.keys(out).length === 0 ? null : out
}

/**
 * One INSERT per written row, inside the write's transaction: the audit row commits or rolls
 * back with the data. No read. `at` is `clock_timestamp()` rather than the transaction start so
 * the rows of one unit (parent, then children) keep their order when listed newest first.
 */
async function auditRow (node: WriteNode, tx: TransactionSql, unit: WriteUnit): Promise<void> {
  const changes = auditChanges(node)
  if (changes === null) return
  const pk = node.entity.pk.name
  const recordId = node.row?.[pk] ?? node.old?.[pk]
  // JSON as text cast to jsonb: postgres.js would encode a string bound to a jsonb parameter again.
  // `user_id` is a uuid column: an id of another shape (never expected) must not fail the write.
  const userId = unit.user !== null && UUID_RE.test(unit.user.id) ? unit.user.id : null
  // Nothing in the unit reads it back: it leaves with the COMMIT, saving a round trip per row.
  await atCommit(tx, tx`
    INSERT INTO _audit_log (entity, record_id, action, changes, user_id, at)
    VALUES (${node.entity.name}, ${String(recordId)}, ${node.action}, ${JSON.stringify(changes)}::text::jsonb, ${userId}, clock_timestamp())`)
}

/** The audit log as an engine module: register it after every module that may change values. */
export function auditModule (): EngineModule {
  return { name: 'audit', writeHooks: { name: 'audit', afterRow: auditRow } }
}
