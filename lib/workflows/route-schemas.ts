import { pagedQuery } from '../schema/pagination.js'
import { INSTANCE_STATUSES, WAITING_FOR } from './types.js'

/** Querystrings of the workflow runtime routes `/_workflows` (docs/reference.md, "Workflows"). */
export const INSTANCE_ROUTES = {
  list: {
    summary: 'Workflow instances (admin monitor)',
    tags: ['workflows'],
    querystring: pagedQuery({
      status: { type: 'string', enum: [...INSTANCE_STATUSES] },
      workflow: { type: 'string', maxLength: 200 },
      waiting_for: { type: 'string', enum: [...WAITING_FOR] }
    })
  },
  pending: { summary: 'Approvals the caller may decide', tags: ['workflows'], querystring: pagedQuery({}) }
}
