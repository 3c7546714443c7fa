import type { Sql } from '../db/connection.js'
import type { RuleDef, RuleRow } from './types.js'

type DbRow = RuleRow

/** Stable evaluation and listing order: priority, then creation, then id. */
const ORDER = 'ORDER BY priority, created_at, id'

/** Every active rule of the app, in evaluation order (what the module compiles). */
export async function loadActiveRules (sql: Sql): Promise<RuleRow[]> {
  return await sql.unsafe<DbRow[]>(`SELECT * FROM _rules WHERE active ${ORDER}`)
}

/** All rules, or those of one entity, ordered by entity then evaluation order. */
export async function listRuleRows (sql: Sql, entity?: string): Promise<RuleRow[]> {
  if (entity === undefined) return await sql.unsafe<DbRow[]>('SELECT * FROM _rules ORDER BY entity, hook, type, priority, created_at, id')
  return await sql.unsafe<DbRow[]>('SELECT * FROM _rules WHERE entity = $1 ORDER BY hook, type, priority, created_at, id', [entity])
}

/** One rule by id (a well-formed uuid), or null. */
export async function ruleRow (sql: Sql, id: string): Promise<RuleRow | null> {
  const rows = await sql<DbRow[]>`SELECT * FROM _rules WHERE id = ${id}`
  return rows[0] ?? null
}

export async function insertRuleRow (sql: Sql, def: RuleDef): Promise<RuleRow> {
  const rows = await sql<DbRow[]>`
    INSERT INTO _rules (entity, hook, type, definition, priority, active)
    VALUES (${def.entity}, ${def.hook}, ${def.type}, ${sql.json(def.definition as never)}, ${def.priority}, ${def.active})
    RETURNING *`
  return rows[0] as RuleRow
}

export async function updateRuleRow (sql: Sql, id: string, def: RuleDef): Promise<RuleRow | null> {
  const rows = await sql<DbRow[]>`
    UPDATE _rules SET entity = ${def.entity}, hook = ${def.hook}, type = ${def.type}, definition = ${sql.json(def.definition as never)},
      priority = ${def.priority}, active = ${def.active}, updated_at = now()
    WHERE id = ${id} RETURNING *`
  return rows[0] ?? null
}

export async function deleteRuleRow (sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`DELETE FROM _rules WHERE id = ${id} RETURNING id`
  return rows.length > 0
}
