import { oldColumn, type RowSql, type RowSqlShape } from '../write/row-sql.js'

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
    // Rendered once per statement for every hook that shows the row (`RowSqlShape.rendered`).
    const newRecord = (): string => shape.rendered('new')
    const oldRecord = (): string => shape.rendered('old')
    const head = `INSERT INTO _changes (entity, record_id, action, record, old) SELECT $${p}::text, `
    if (action === 'create') return `${head}w.${entity.pk.column}::text, 'create', ${newRecord()}, NULL FROM ${rows} w`
    if (action === 'delete') return `${head}w.${oldColumn(entity.pk)}::text, 'delete', NULL, ${oldRecord()} FROM ${rows} w`
    if (fields.length === 0) return ''
    const now = fields.map((f) => `w.${f.column}`).join(', ')
    const before = fields.map((f) => `w.${oldColumn(f)}`).join(', ')
    return `${head}w.${entity.pk.column}::text, 'update', ${newRecord()}, ${oldRecord()} FROM ${rows} w WHERE ROW(${now}) IS DISTINCT FROM ROW(${before})`
  }
}
