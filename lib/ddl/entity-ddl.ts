import { fieldTypeOf, primaryKeyType } from '../fields/index.js'
import { validationFailed, type ErrorDetail } from '../errors.js'
import { qualifiedName, quoteIdent } from '../db/identifiers.js'
import type { EntityDef, FieldDef } from '../metadata/types.js'
import { entityIndexes, uniqueFieldIndex, type IndexSpec } from './index-names.js'
import type { ColumnInfo } from './introspect.js'

/** Column type of a field, from the closed per-type map (never from user text). */
export function columnTypeOf (f: FieldDef): string {
  return fieldTypeOf(f).columnType(f)
}

function columnDefinition (entity: EntityDef, f: FieldDef): string {
  const pk = entity.primary_key
  const col = quoteIdent(f.name)
  if (f.name === pk.field) return `${col} ${primaryKeyType(pk.type).primaryKey.column(pk.generated === true)}`
  return `${col} ${columnTypeOf(f)}${f.nullable === false ? ' NOT NULL' : ''}`
}

/**
 * `CREATE [UNIQUE] INDEX IF NOT EXISTS` for an index spec. IF NOT EXISTS makes re-runs cheap;
 * what it skipped is checked afterwards by `verifyIndexes` (lib/ddl/index-check.ts).
 */
export function createIndexStatement (spec: IndexSpec): string {
  const where = spec.partial ? ' WHERE "deleted_at" IS NULL' : ''
  return `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(spec.name)} ON ${qualifiedName(spec.table)} (${spec.columns.map(quoteIdent).join(', ')})${where}`
}

/** Index DDL for unique fields and the soft-delete partial index. */
export function indexStatements (entity: EntityDef): string[] {
  return entityIndexes(entity).map(createIndexStatement)
}

/** CREATE TABLE plus indexes for a new entity. */
export function createTableStatements (entity: EntityDef): string[] {
  const table = qualifiedName(entity.table)
  const columns = entity.fields.map((f) => columnDefinition(entity, f))
  return [`CREATE TABLE ${table} (\n  ${columns.join(',\n  ')}\n)`, ...indexStatements(entity)]
}

/** Safe in-place type changes: no value can be lost or rejected. */
function isSafeWidening (from: string, to: string): boolean {
  if (from === to) return true
  const widen: Record<string, string[]> = {
    integer: ['bigint', 'numeric'],
    bigint: ['numeric'],
    date: ['timestamptz'],
    uuid: ['text']
  }
  if (widen[from]?.includes(to.replace(/\(.*\)$/, '')) === true && !to.startsWith('numeric(')) return true
  const num = /^numeric\((\d+),(\d+)\)$/
  const a = from.match(num)
  if (a !== null && to === 'numeric') return true
  const b = to.match(num)
  if (a !== null && b !== null) {
    const [p1, s1, p2, s2] = [Number(a[1]), Number(a[2]), Number(b[1]), Number(b[2])]
    return s2 >= s1 && p2 - s2 >= p1 - s1
  }
  return false
}

/**
 * ALTER statements that bring an existing table in line with a changed entity: new columns,
 * safe widenings, unique indexes (every one the entity declares, IF NOT EXISTS: one lost
 * earlier is created again), NOT NULL. Removed fields keep their column (hidden).
 * Unsafe changes (narrowing, primary key changes) throw VALIDATION_FAILED.
 */
export function alterTableStatements (before: EntityDef, after: EntityDef, columns: Map<string, ColumnInfo>): string[] {
  const errors: ErrorDetail[] = []
  const table = qualifiedName(after.table)
  const stmts: string[] = []
  if (before.primary_key.field !== after.primary_key.field || before.primary_key.type !== after.primary_key.type) {
    errors.push({ field: 'primary_key', rule: 'immutable', message: 'the primary key cannot be changed' })
  }
  if (before.table !== after.table) errors.push({ field: 'table', rule: 'immutable', message: 'the table name cannot be changed' })
  for (const f of after.fields) {
    const existing = columns.get(f.name)
    const wanted = columnTypeOf(f)
    if (existing === undefined) {
      stmts.push(`ALTER TABLE ${table} ADD COLUMN ${columnDefinition(after, f)}`)
      continue
    }
    if (f.name === after.primary_key.field) continue
    if (existing.type !== wanted) {
      if (isSafeWidening(existing.type, wanted)) stmts.push(`ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(f.name)} TYPE ${wanted}`)
      else errors.push({ field: `fields.${f.name}.type`, rule: 'unsafe_change', message: `changing ${f.name} from ${existing.type} to ${wanted} could lose data` })
    }
    if (f.nullable === false && !existing.notNull) stmts.push(`ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(f.name)} SET NOT NULL`)
    if (f.nullable !== false && existing.notNull) stmts.push(`ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(f.name)} DROP NOT NULL`)
    const wasUnique = before.fields.find((x) => x.name === f.name)?.unique === true
    // The name carries a hash of this table and column: it can only be this field's index.
    if (f.unique !== true && wasUnique) stmts.push(`DROP INDEX IF EXISTS ${qualifiedName(uniqueFieldIndex(before, f.name).name)}`)
  }
  if (errors.length > 0) throw validationFailed('Unsafe entity change', errors)
  if (after.soft_delete === true && before.soft_delete !== true) {
    // Existing unique indexes must ignore soft-deleted rows from now on.
    for (const f of before.fields) {
      if (f.unique === true && f.name !== before.primary_key.field) stmts.push(`DROP INDEX IF EXISTS ${qualifiedName(uniqueFieldIndex(before, f.name).name)}`)
    }
  }
  stmts.push(...indexStatements(after))
  return stmts
}
