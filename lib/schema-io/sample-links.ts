import type { AppContext } from '../apps/context.js'
import { qualifiedName } from '../db/identifiers.js'
import { isApiError } from '../errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { quoteIdent, type Registry } from '../metadata/registry.js'
import type { RelationDef } from '../metadata/types.js'
import { isObject } from '../rules/problems.js'
import { isKeyValue, keyText } from '../write/lookup.js'
import { castOf, run } from '../write/sql.js'
import type { SampleReport } from './types.js'

/** The many_to_many relation whose join rows `sample_data[key]` holds, if `key` names one. */
export function linkRelation (registry: Registry, key: string): RelationDef | undefined {
  return registry.relationDefs.find((r) => r.type === 'many_to_many' && r.name === key)
}

interface LinkSides {
  table: string
  source: { column: string, field: CompiledField, name: string }
  target: { column: string, field: CompiledField, name: string }
  entity: CompiledEntity
}

function sidesOf (registry: Registry, rel: RelationDef): LinkSides | null {
  const source = registry.entities.get(rel.source)
  const target = registry.entities.get(rel.target)
  const sField = source?.fields.get(rel.source_key)
  const tField = target?.fields.get(rel.target_key)
  const sName = rel.source_join_key
  const tName = rel.target_join_key
  if (target === undefined || sField === undefined || tField === undefined || sName === undefined || tName === undefined || rel.join_table === undefined) return null
  return {
    table: qualifiedName(rel.join_table),
    source: { column: quoteIdent(sName), field: sField, name: sName },
    target: { column: quoteIdent(tName), field: tField, name: tName },
    entity: target
  }
}

/** Why a join row cannot be inserted (shape or key types), or null when it can. */
function rowProblem (sides: LinkSides, row: unknown): string | null {
  const { source, target } = sides
  const expected = `{${source.name}, ${target.name}}`
  if (!isObject(row)) return `a join row must be an object ${expected}`
  const extra = Object.keys(row).filter((k) => k !== source.name && k !== target.name)
  if (extra.length > 0) return `unknown key '${(extra[0] ?? '').slice(0, 100)}' (a join row is ${expected})`
  if (!isKeyValue(source.field, row[source.name])) return `${source.name} must be a ${source.field.type} key`
  if (!isKeyValue(target.field, row[target.name])) return `${target.name} must be a ${target.field.type} key`
  return null
}

/**
 * Inserts the join rows of a many_to_many relation given as `{<source_join_key>, <target_join_key>}`
 * objects (`ON CONFLICT DO NOTHING`: a link that exists is counted as skipped). A row naming a
 * record that does not exist is reported (422 foreign_key) and the others proceed.
 */
export async function importLinks (app: AppContext, at: { relation: RelationDef, rows: readonly unknown[], report: SampleReport }): Promise<void> {
  const { relation, rows, report } = at
  const sides = sidesOf(app.registry, relation)
  if (sides === null) {
    report.errors.push({ message: `relation '${relation.name}' has no usable join table` })
    return
  }
  const { source, target } = sides
  const text = `INSERT INTO ${sides.table} (${source.column}, ${target.column}) VALUES ($1${castOf(source.field)}, $2${castOf(target.field)}) ON CONFLICT DO NOTHING RETURNING 1 AS x`
  for (const [index, row] of rows.entries()) {
    const problem = rowProblem(sides, row)
    if (problem !== null || !isObject(row)) {
      report.errors.push({ index, message: problem ?? 'invalid join row' })
      continue
    }
    const params = [keyText(source.field, row[source.name]), keyText(target.field, row[target.name])]
    try {
      const inserted = await run(app.sql, { text, params }, { entity: sides.entity, loc: { path: '' } })
      if (inserted.length > 0) report.created++
      else report.skipped++
    } catch (err) {
      if (!isApiError(err)) throw err
      report.errors.push({ index, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) })
    }
  }
}
