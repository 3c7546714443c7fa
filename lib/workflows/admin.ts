import type { AppContext } from '../apps/context.js'
import { notFoundById, requireById, requireDeleted } from '../db/by-id.js'
import { isObject, Problems } from '../rules/problems.js'
import { webhooksOf } from '../webhooks/compile.js'
import { PUBLIC_ONLY } from '../webhooks/ssrf.js'
import { checkWebhookActions } from '../webhooks/header-templates.js'
import { compileWorkflow } from './compile.js'
import { deleteWorkflowRow, insertWorkflowRow, listWorkflowRows, updateWorkflowRow, workflowRow } from './store.js'
import type { WorkflowDef, WorkflowRow } from './types.js'
import { parseWorkflowBody } from './validate.js'

/** Validates a body against the app's current metadata: 422 VALIDATION_FAILED listing every problem. */
function checked (app: AppContext, body: unknown): WorkflowDef {
  const problems = new Problems()
  const def = parseWorkflowBody(body, problems)
  const urlPolicy = webhooksOf(app.registry)?.runtime.settings ?? PUBLIC_ONLY
  if (def !== null) {
    compileWorkflow({ ...def, id: '' }, app.registry, { problems, urlPolicy })
    if (Array.isArray(def.steps)) def.steps.forEach((step, i) => { checkWebhookActions(problems, `steps[${i}].actions`, step.actions) })
  }
  problems.throwIfAny('workflow')
  return def as WorkflowDef
}

/** Every workflow (or those triggered by one entity), by name. */
export async function listWorkflows (app: AppContext, entity?: string): Promise<WorkflowRow[]> {
  return await listWorkflowRows(app.sql, entity)
}

/** One workflow by id; 404 NOT_FOUND when unknown or not a uuid. */
export async function getWorkflow (app: AppContext, id: string): Promise<WorkflowRow> {
  return await requireById('Workflow', id, async (id) => await workflowRow(app.sql, id))
}

/** Saves a new workflow (422 when invalid, 409 when the name is taken) and recompiles the registry. */
export async function createWorkflow (app: AppContext, body: unknown): Promise<WorkflowRow> {
  const row = await insertWorkflowRow(app.sql, checked(app, body))
  await app.reload()
  return row
}

/**
 * Updates a workflow: the body is merged over the stored one (so `{active: false}` works) and
 * revalidated whole. Instances under way continue with the new definition from their current
 * step (one that no longer exists fails them when they resume).
 */
export async function updateWorkflow (app: AppContext, id: string, body: unknown): Promise<WorkflowRow> {
  const c = await getWorkflow(app, id)
  const current = { name: c.name, trigger: c.trigger, context: c.context, steps: c.steps, active: c.active }
  const row = await updateWorkflowRow(app.sql, id, checked(app, isObject(body) ? { ...current, ...body } : body))
  if (row === null) throw notFoundById('Workflow', id)
  await app.reload()
  return row
}

/** Deletes a workflow, cancelling its unfinished instances, and recompiles the registry. */
export async function deleteWorkflow (app: AppContext, id: string): Promise<void> {
  await requireDeleted('Workflow', id, async (id) => await deleteWorkflowRow(app.sql, id))
  await app.reload()
}
