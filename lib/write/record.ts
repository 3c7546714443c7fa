import { notFound } from '../errors.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import { collectDelete, deleteNodes, executeDelete } from './delete.js'
import { inUnit, newUnit, retryUnbatched, runPlan } from './execute.js'
import { runBeforeWrite } from './hooks.js'
import { lockRow, parseRecordId } from './lookup.js'
import { newPlanContext, planRoot } from './plan.js'
import type { Row } from './sql.js'
import type { WriteDeps } from './types.js'

/**
 * Creates a record with its nested relations in one transaction (docs/reference.md, "Writing") and returns the
 * created root row as read back by RETURNING (all fields; timestamps as Date, NUMERIC/BIGINT
 * as strings). Throws INVALID_PAYLOAD / UNKNOWN_FIELD (400), VALIDATION_FAILED (422),
 * CONFLICT (409) or a hook's ApiError; nothing is written when it throws.
 */
export async function createRecord (deps: WriteDeps, entity: CompiledEntity, body: unknown): Promise<Row> {
  return await retryUnbatched(deps, async (d) => {
    const ctx = newPlanContext(d)
    const plan = await planRoot(ctx, { entity, body, action: 'create' })
    return await runPlan(d, ctx, plan)
  })
}

/**
 * Partially updates the live record `id` (a PK, or a slug when `id` does not parse as the PK
 * type) with its nested relations, and returns the updated row. NOT_FOUND (404) when there is
 * no such live record; the PK and auto fields in the body are ignored.
 */
export async function updateRecord (deps: WriteDeps, entity: CompiledEntity, id: string, body: unknown): Promise<Row> {
  const lookup = parseRecordId(entity, id)
  if (lookup === null) throw notFound(`${entity.name} '${id}' not found`)
  return await retryUnbatched(deps, async (d) => {
    const ctx = newPlanContext(d)
    const plan = await planRoot(ctx, { entity, body, action: 'update' })
    plan.lookup = lookup
    return await runPlan(d, ctx, plan)
  })
}

/**
 * Deletes the live record `id` — soft (sets `deleted_at`) or hard per entity config — applying
 * every relation's `on_delete` policy in the same transaction. Returns the deleted record's PK.
 * NOT_FOUND (404) when missing or already soft-deleted; CONFLICT (409) under `restrict`.
 */
export async function deleteRecord (deps: WriteDeps, entity: CompiledEntity, id: string): Promise<{ id: unknown }> {
  const lookup = parseRecordId(entity, id)
  if (lookup === null) throw notFound(`${entity.name} '${id}' not found`)
  const key = await inUnit(deps, newUnit(deps), async (ec) => {
    const row = await lockRow(ec.tx, entity, lookup)
    if (row === null) throw notFound(`${entity.name} '${id}' not found`)
    const group = await collectDelete(ec, { entity, roots: [{ row, path: '' }], hard: !entity.softDelete })
    const nodes = deleteNodes(group)
    await runBeforeWrite(ec.hooks, nodes, ec.unit)
    await executeDelete(ec, group)
    return { result: row[entity.pk.name], nodes }
  })
  return { id: key }
}
