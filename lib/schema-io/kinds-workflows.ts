import { Problems } from '../rules/problems.js'
import { documentItem } from '../schema/route-schemas.js'
import { createWorkflow, listWorkflows } from '../workflows/admin.js'
import { WORKFLOW_ITEM } from '../workflows/schemas.js'
import type { WorkflowDef } from '../workflows/types.js'
import { parseWorkflowBody } from '../workflows/validate.js'
import { contentKind } from './content-kind.js'
import type { SchemaKind } from './types.js'

/**
 * `workflows`: identified by their unique name, created through the workflows admin service
 * (steps, expressions and targets checked against the metadata; registry recompiled).
 */
export const workflowsKind: SchemaKind = contentKind<WorkflowDef>({
  key: 'workflows',
  item: documentItem(WORKFLOW_ITEM),
  label: (item) => (typeof item.name === 'string' ? item.name : '?'),
  list: async (app) => (await listWorkflows(app)).map((w) => ({ name: w.name, trigger: w.trigger, context: w.context, steps: w.steps, active: w.active })),
  normalize: (_app, item) => {
    const problems = new Problems()
    const def = parseWorkflowBody(item, problems)
    problems.throwIfAny('workflow')
    return def as WorkflowDef
  },
  identity: (w) => w.name,
  create: async (app, item) => await createWorkflow(app, item)
})
