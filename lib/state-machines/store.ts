import type { Sql, TransactionSql } from '../db/connection.js'
import type { MachineDef, MachineRow } from './types.js'

type Db = Sql | TransactionSql

/** Every active machine of the app, oldest first (what the module compiles). */
export async function loadActiveMachines (sql: Sql): Promise<MachineRow[]> {
  return await sql<MachineRow[]>`SELECT * FROM _state_machines WHERE active ORDER BY created_at, id`
}

/** All machines, or those of one entity. */
export async function listMachineRows (sql: Sql, entity?: string): Promise<MachineRow[]> {
  if (entity === undefined) return await sql<MachineRow[]>`SELECT * FROM _state_machines ORDER BY entity, field, created_at, id`
  return await sql<MachineRow[]>`SELECT * FROM _state_machines WHERE entity = ${entity} ORDER BY field, created_at, id`
}

/** One machine by id (a well-formed uuid), or null. */
export async function machineRow (sql: Db, id: string): Promise<MachineRow | null> {
  const rows = await sql<MachineRow[]>`SELECT * FROM _state_machines WHERE id = ${id}`
  return rows[0] ?? null
}

/** Id of another active machine on the same entity field, if any (`except` excludes the one being updated). */
export async function activeMachineOn (sql: Db, at: { entity: string, field: string, except?: string }): Promise<string | null> {
  const rows = await sql<Array<{ id: string }>>`
    SELECT id FROM _state_machines WHERE active AND entity = ${at.entity} AND field = ${at.field}
      AND id IS DISTINCT FROM ${at.except ?? null}::uuid LIMIT 1`
  return rows[0]?.id ?? null
}

export async function insertMachineRow (sql: Db, def: MachineDef): Promise<MachineRow> {
  const rows = await sql<MachineRow[]>`
    INSERT INTO _state_machines (entity, field, definition, active)
    VALUES (${def.entity}, ${def.field}, ${sql.json(def.definition as never)}, ${def.active}) RETURNING *`
  return rows[0] as MachineRow
}

export async function updateMachineRow (sql: Db, id: string, def: MachineDef): Promise<MachineRow | null> {
  const rows = await sql<MachineRow[]>`
    UPDATE _state_machines SET entity = ${def.entity}, field = ${def.field}, definition = ${sql.json(def.definition as never)},
      active = ${def.active}, updated_at = now()
    WHERE id = ${id} RETURNING *`
  return rows[0] ?? null
}

export async function deleteMachineRow (sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`DELETE FROM _state_machines WHERE id = ${id} RETURNING id`
  return rows.length > 0
}
