import postgres from 'postgres'
import type { Sql } from '../db/connection.js'
import { conflict } from '../errors.js'
import type { WorkflowDef, WorkflowRow } from './types.js'

type Json = Parameters<Sql['json']>[0]

function json (sql: Sql, value: unknown): ReturnType<Sql['json']> {
  return sql.json(value as Json)
}

/** A unique violation on the name is a 409 naming the field; anything else is rethrown. */
function nameTaken (err: unknown, name: string): never {
  if (err instanceof postgres.PostgresError && err.code === '23505') {
    throw conflict(`A workflow named '${name.slice(0, 100)}' already exists`, [{ field: 'name', rule: 'unique', message: 'name must be unique' }])
  }
  throw err
}

/** Every stored workflow, oldest first (what the module compiles: inactive ones too). */
export async function loadWorkflowRows (sql: Sql): Promise<WorkflowRow[]> {
  return await sql<WorkflowRow[]>`SELECT * FROM _workflows ORDER BY created_at, id`
}

/** All workflows, or those triggered by one entity, by name. */
export async function listWorkflowRows (sql: Sql, entity?: string): Promise<WorkflowRow[]> {
  if (entity === undefined) return await sql<WorkflowRow[]>`SELECT * FROM _workflows ORDER BY name`
  return await sql<WorkflowRow[]>`SELECT * FROM _workflows WHERE trigger->>'entity' = ${entity} ORDER BY name`
}

/** One workflow by id (a well-formed uuid), or null. */
export async function workflowRow (sql: Sql, id: string): Promise<WorkflowRow | null> {
  const rows = await sql<WorkflowRow[]>`SELECT * FROM _workflows WHERE id = ${id}`
  return rows[0] ?? null
}

/** Stores a validated workflow; 409 CONFLICT when the name is taken. */
export async function insertWorkflowRow (sql: Sql, def: WorkflowDef): Promise<WorkflowRow> {
  try {
    const rows = await sql<WorkflowRow[]>`
      INSERT INTO _workflows (name, trigger, context, steps, active)
      VALUES (${def.name}, ${json(sql, def.trigger)}, ${json(sql, def.context)}, ${json(sql, def.steps)}, ${def.active})
      RETURNING *`
    return rows[0] as WorkflowRow
  } catch (err) {
    return nameTaken(err, def.name)
  }
}

/** Replaces a workflow's definition; null when the id is unknown, 409 when the new name is taken. */
export async function updateWorkflowRow (sql: Sql, id: string, def: WorkflowDef): Promise<WorkflowRow | null> {
  try {
    const rows = await sql<WorkflowRow[]>`
      UPDATE _workflows SET name = ${def.name}, trigger = ${json(sql, def.trigger)}, context = ${json(sql, def.context)},
        steps = ${json(sql, def.steps)}, active = ${def.active}, updated_at = now()
      WHERE id = ${id} RETURNING *`
    return rows[0] ?? null
  } catch (err) {
    return nameTaken(err, def.name)
  }
}

/**
 * Deletes a workflow. Its unfinished instances are cancelled first (with a history entry): no
 * definition is left to run them. Finished instances stay as history (workflow_id becomes null).
 */
export async function deleteWorkflowRow (sql: Sql, id: string): Promise<boolean> {
  return await sql.begin(async (tx) => {
    const entry = [{ step: null, status: 'cancelled', by: null, at: new Date().toISOString(), detail: { reason: 'workflow deleted' } }]
    await tx`
      UPDATE _workflow_instances SET status = 'cancelled', history = history || ${JSON.stringify(entry)}::text::jsonb,
        waiting_for = NULL, current_step_deadline = NULL, assignee = NULL, lease_id = NULL, locked_until = NULL, updated_at = now()
      WHERE workflow_id = ${id} AND status = 'running'`
    const rows = await tx`DELETE FROM _workflows WHERE id = ${id} RETURNING id`
    return rows.length > 0
  })
}
