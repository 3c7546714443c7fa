import type { EngineModule } from '../engine/modules.js'
import { UUID_RE } from '../fields/spec.js'
import { jsonOf, oldColumn, type RowSql, type RowSqlShape } from '../write/row-sql.js'

/**
 * `changes` of the audit rows (docs/reference.md "UI configs, audit log, events") as SQL over the written rows `w`: on create the PK and
 * the written fields with their stored values, on update `{field: {old, new}}` for the written
 * fields whose value changed, on delete the whole previous row. Values are the stored ones,
 * shown as the API shows them (never the payload's spelling), so a timestamp or a decimal
 * written differently is not reported as a change. `{}` when an update changed nothing (no row then).
 * Field names are validated identifiers, safe as SQL literals.
 */
function changesOf (shape: RowSqlShape): string {
  const { entity, action, fields } = shape
  if (action === 'create') {
    // The row as rendered once for every hook, less the fields the write left alone.
    const unwritten = entity.fieldList.filter((f) => !f.isPk && !fields.includes(f))
    const row = shape.rendered('new')
    return unwritten.length === 0 ? row : `(${row} - ARRAY[${unwritten.map((f) => `'${f.name}'`).join(', ')}]::text[])`
  }
  if (action === 'delete') return shape.rendered('old')
  if (fields.length === 0) return '\'{}\'::jsonb'
  return fields.map((f) => {
    const o = `w.${oldColumn(f)}`
    const n = `w.${f.column}`
    return `CASE WHEN ${o} IS DISTINCT FROM ${n} THEN jsonb_build_object('${f.name}', jsonb_build_object('old', ${jsonOf(f, o)}, 'new', ${jsonOf(f, n)})) ELSE '{}'::jsonb END`
  }).join(' || ')
}

/**
 * The audit row of every written row, written by the row's own statement: it commits or rolls
 * back with the data and costs no round trip. `at` is `clock_timestamp()` rather than the
 * transaction start so the rows of one unit (parent, then children) keep their order when
 * listed newest first. Parameters: the entity name and the user id (a uuid column: an id of
 * another shape, never expected, is stored as null rather than failing the write).
 */
const auditRowSql: RowSql = {
  paramCount: 2,
  params: ({ entity, user }) => [entity.name, user !== null && UUID_RE.test(user.id) ? user.id : null],
  text: (shape) => {
    const { entity, action, rows, firstParam: p } = shape
    const pk = action === 'delete' ? oldColumn(entity.pk) : entity.pk.column
    return 'INSERT INTO _audit_log (entity, record_id, action, changes, user_id, at) ' +
      `SELECT $${p}::text, s.record_id, '${action}', s.changes, $${p + 1}::uuid, clock_timestamp() ` +
      `FROM (SELECT w.${pk}::text AS record_id, ${changesOf(shape)} AS changes FROM ${rows} w) s` +
      (action === 'update' ? ' WHERE s.changes <> \'{}\'::jsonb' : '')
  }
}

/** The audit log as an engine module: register it after every module that may change values. */
export function auditModule (): EngineModule {
  return { name: 'audit', writeHooks: { name: 'audit', rowSql: auditRowSql } }
}
