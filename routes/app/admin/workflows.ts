import { createWorkflow, deleteWorkflow, getWorkflow, listWorkflows, updateWorkflow } from '../../../lib/workflows/admin.js'
import { WORKFLOW_BODIES, WORKFLOW_ITEM } from '../../../lib/workflows/schemas.js'
import { metadataCrudRoutes } from './metadata-crud.js'

/** Workflows (`/_admin/workflows`, `?entity` = trigger entity); every change recompiles the app's registry. */
export default metadataCrudRoutes({
  list: async (app, { entity }) => await listWorkflows(app, entity),
  get: getWorkflow,
  create: createWorkflow,
  update: updateWorkflow,
  remove: deleteWorkflow
}, 'id', { one: 'workflow', kind: 'workflows', item: WORKFLOW_ITEM, ...WORKFLOW_BODIES })
