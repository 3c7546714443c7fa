import type { AppContext } from '../apps/context.js'
import { notFoundById, requireById, requireDeleted } from '../db/by-id.js'
import { compileRule } from './compile.js'
import { isObject, Problems } from './problems.js'
import { deleteRuleRow, insertRuleRow, listRuleRows, ruleRow, updateRuleRow } from './store.js'
import type { RuleDef, RuleRow } from './types.js'
import { parseRuleBody } from './validate.js'

/** Validates a rule body against the app's current metadata: 422 VALIDATION_FAILED listing every problem. */
function checked (app: AppContext, body: unknown): RuleDef {
  const problems = new Problems()
  const def = parseRuleBody(body, problems)
  if (def !== null) compileRule({ ...def, id: '' }, app.registry, problems)
  problems.throwIfAny('rule')
  return def as RuleDef
}

export async function listRules (app: AppContext, entity?: string): Promise<RuleRow[]> {
  return await listRuleRows(app.sql, entity)
}

export async function getRule (app: AppContext, id: string): Promise<RuleRow> {
  return await requireById('Rule', id, async (id) => await ruleRow(app.sql, id))
}

/** Saves a new rule and recompiles the app's registry, so the next write enforces it. */
export async function createRule (app: AppContext, body: unknown): Promise<RuleRow> {
  const row = await insertRuleRow(app.sql, checked(app, body))
  await app.reload()
  return row
}

/** Updates a rule: the body is merged over the stored rule (so `{active: false}` works) and revalidated whole. */
export async function updateRule (app: AppContext, id: string, body: unknown): Promise<RuleRow> {
  const current = await getRule(app, id)
  const merged = isObject(body)
    ? { entity: current.entity, hook: current.hook, type: current.type, definition: current.definition, priority: current.priority, active: current.active, ...body }
    : body
  const row = await updateRuleRow(app.sql, id, checked(app, merged))
  if (row === null) throw notFoundById('Rule', id)
  await app.reload()
  return row
}

export async function deleteRule (app: AppContext, id: string): Promise<void> {
  await requireDeleted('Rule', id, async (id) => await deleteRuleRow(app.sql, id))
  await app.reload()
}
