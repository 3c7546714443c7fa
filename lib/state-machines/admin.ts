import type { AppContext } from '../apps/context.js'
import type { TransactionSql } from '../db/connection.js'
import { notFoundById, requireById, requireDeleted } from '../db/by-id.js'
import { conflict } from '../errors.js'
import { lockMetadata } from '../metadata/store.js'
import { isObject, Problems } from '../rules/problems.js'
import { webhooksOf } from '../webhooks/compile.js'
import { PUBLIC_ONLY } from '../webhooks/ssrf.js'
import { checkWebhookActions } from '../webhooks/header-templates.js'
import { compileMachine } from './compile.js'
import {
  activeMachineOn, deleteMachineRow, insertMachineRow, listMachineRows, machineRow, updateMachineRow
} from './store.js'
import type { MachineDef, MachineRow } from './types.js'
import { parseMachineBody } from './validate.js'

/** Validates a body against the app's current metadata: 422 VALIDATION_FAILED listing every problem. */
function checked (app: AppContext, body: unknown): MachineDef {
  const problems = new Problems()
  const def = parseMachineBody(body, problems)
  if (def !== null) {
    compileMachine({ ...def, id: '' }, app.registry, problems, webhooksOf(app.registry)?.runtime.settings ?? PUBLIC_ONLY)
    const transitions: unknown = def.definition.transitions
    if (Array.isArray(transitions)) {
      transitions.forEach((tr: unknown, i) => { if (isObject(tr)) checkWebhookActions(problems, `definition.transitions[${i}].actions`, tr.actions) })
    }
  }
  problems.throwIfAny('state machine')
  return def as MachineDef
}

/**
 * Saves under the metadata lock so two concurrent saves cannot both activate a machine on the
 * same field (which one would decide a transition would be arbitrary): 409 CONFLICT instead.
 */
async function save (app: AppContext, def: MachineDef, work: (tx: TransactionSql) => Promise<MachineRow | null>, except?: string): Promise<MachineRow | null> {
  const row = await app.sql.begin(async (tx) => {
    await lockMetadata(tx)
    const other = def.active ? await activeMachineOn(tx, { entity: def.entity, field: def.field, ...(except !== undefined ? { except } : {}) }) : null
    if (other !== null) {
      throw conflict(`${def.entity}.${def.field} already has an active state machine (${other})`, [{ field: 'field', rule: 'unique', message: 'one active state machine per field' }])
    }
    return await work(tx)
  })
  await app.reload()
  return row as MachineRow | null
}

export async function listMachines (app: AppContext, entity?: string): Promise<MachineRow[]> {
  return await listMachineRows(app.sql, entity)
}

export async function getMachine (app: AppContext, id: string): Promise<MachineRow> {
  return await requireById('State machine', id, async (id) => await machineRow(app.sql, id))
}

/** Saves a new machine and recompiles the app's registry, so the next write enforces it. */
export async function createMachine (app: AppContext, body: unknown): Promise<MachineRow> {
  const def = checked(app, body)
  return await save(app, def, async (tx) => await insertMachineRow(tx, def)) as MachineRow
}

/** Updates a machine: the body is merged over the stored one and revalidated whole. */
export async function updateMachine (app: AppContext, id: string, body: unknown): Promise<MachineRow> {
  const current = await getMachine(app, id)
  const merged = isObject(body) ? { entity: current.entity, field: current.field, definition: current.definition, active: current.active, ...body } : body
  const def = checked(app, merged)
  const row = await save(app, def, async (tx) => await updateMachineRow(tx, id, def), id)
  if (row === null) throw notFoundById('State machine', id)
  return row
}

export async function deleteMachine (app: AppContext, id: string): Promise<void> {
  await requireDeleted('State machine', id, async (id) => await deleteMachineRow(app.sql, id))
  await app.reload()
}
