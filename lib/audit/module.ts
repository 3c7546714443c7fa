import type { EngineModule } from '../engine/modules.js'
import { UUID_RE } from '../fields/spec.js'
import type { CompiledField } from '../metadata/compiled.js'
import { jsonOf, oldColumn, type RowSql, type RowSqlShape } from '../write/row-sql.js'

/** One `(field name, jsonb value)` row of the VALUES list an audit row's `changes` is built from. */
function pair (f: CompiledField, value: string): string {
  return `('${f.name}', ${value})`
}

/**
 * `changes` of the audit rows (SPEC §8) as SQL over the written rows `w`: on create the PK and
 * the written fields with their stored values, on update `{field: {old, new}}` for the written
 * fields whose value changed, on delete the whole previous row. Values are the stored ones,
 * shown as the API shows them (never the payload's spelling), so a timestamp or a decimal
 * written differently is not reported as a change. Null when an update changed nothing.
 * Field names are validated identifiers, safe as SQL literals.
 */
function changesOf (shape: RowSqlShape): string {
  const { entity, action, fields } = shape
  let pairs: string[]
  if (action === 'create') {
    const listed = entity.fieldList.filter((f) => f.isPk || fields.includes(f))
    pairs = listed.map((f) => pair(f, jsonOf(f, `w.${f.column}`)))
  } else if (action === 'delete') {
    pairs = fields.map((f) => pair(f, jsonOf(f, `w.${oldColumn(f)}`)))
  } else {
    pairs = fields.map((f) => {
      const o = `w.${oldColumn(f)}`
      const n = `w.${f.column}`
      return pair(f, `CASE WHEN ${o} IS DISTINCT FROM ${n} THEN jsonb_build_object('old', ${jsonOf(f, o)}, 'new', ${jsonOf(f, n)}) END`)
    })
  }
  if (pairs.length === 0) return action === 'update' ? 'NULL::jsonb' : `'{}'::jsonb`
  return `(SELECT jsonb_object_agg(k, v) FROM (VALUES ${pairs.join(', ')}) AS c(k, v) WHERE v IS NOT NULL)`
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
    return `INSERT INTO _audit_log (entity, record_id, action, changes, user_id, at) ` +
      `SELECT $${p}::text, s.record_id, '${action}', s.changes, $${p + 1}::uuid, clock_timestamp() ` +
      `FROM (SELECT w.${pk}::text AS record_id, ${changesOf(shape)} AS changes FROM ${rows} w) s` +
      (action === 'update' ? ' WHERE s.changes IS NOT NULL' : '')
  }
}

/** The audit log as an engine module: register it after every module that may change values. */
export function auditModule (): EngineModule {
  return { name: 'audit', writeHooks: { name: 'audit', rowSql: auditRowSql } }
}
