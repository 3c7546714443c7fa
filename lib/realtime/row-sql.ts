import type { CompiledField } from '../metadata/compiled.js'
import { jsonOf, oldColumn, type RowSql, type RowSqlShape } from '../write/row-sql.js'

/** `jsonb_build_object` takes at most 100 arguments: wider records are built in slices joined with `||`. */
const PAIRS_PER_CALL = 50

/** A jsonb object of every field of the entity, each value rendered as the API shows it. */
function recordOf (fields: readonly CompiledField[], column: (f: CompiledField) => string): string {
  const calls: string[] = []
  for (let i = 0; i < fields.length; i += PAIRS_PER_CALL) {
    calls.push(`jsonb_build_object(${fields.slice(i, i + PAIRS_PER_CALL).map((f) => `'${f.name}', ${jsonOf(f, column(f))}`).join(', ')})`)
  }
  return calls.length === 0 ? '\'{}\'::jsonb' : calls.join(' || ')
}

/**
 * The `_changes` row of every written row (docs/ARCHITECTURE.md "Realtime"), one CTE on the
 * row's own statement: it commits or rolls back with the data, so a committed write always has
 * its change and a rolled-back one never does. create: `record`; update: `record` and `old`,
 * only when a written field changed; delete (soft or hard, cascades included): `old`.
 * Field names are validated identifiers, safe as SQL literals. Parameter: the entity name.
 */
export const changesRowSql: RowSql = {
  paramCount: 1,
  params: ({ entity }) => [entity.name],
  text: (shape: RowSqlShape) => {
    const { entity, action, fields, rows, firstParam: p } = shape
    const all = entity.fieldList
    const newRecord = recordOf(all, (f) => `w.${f.column}`)
    const oldRecord = recordOf(all, (f) => `w.${oldColumn(f)}`)
    const head = `INSERT INTO _changes (entity, record_id, action, record, old) SELECT $${p}::text, `
    if (action === 'create') return `${head}w.${entity.pk.column}::text, 'create', ${newRecord}, NULL FROM ${rows} w`
    if (action === 'delete') return `${head}w.${oldColumn(entity.pk)}::text, 'delete', NULL, ${oldRecord} FROM ${rows} w`
    if (fields.length === 0) return ''
    const now = fields.map((f) => `w.${f.column}`).join(', ')
    const before = fields.map((f) => `w.${oldColumn(f)}`).join(', ')
    return `${head}w.${entity.pk.column}::text, 'update', ${newRecord}, ${oldRecord} FROM ${rows} w WHERE ROW(${now}) IS DISTINCT FROM ROW(${before})`
  }
}
