import { pagedList, pagedQuery } from '../schema/pagination.js'
import { dataEnvelope, ID_PARAMS, type Schema } from '../schema/route-schemas.js'
import { INSTANCE_STATUSES, WAITING_FOR } from './types.js'

/** Longest comment a decision may carry. */
const MAX_COMMENT = 2000

const TIME: Schema = { type: 'string', format: 'date-time' }

const HISTORY_ENTRY: Schema = {
  type: 'object',
  required: ['step', 'status', 'by', 'at'],
  properties: {
    step: { type: ['string', 'null'], description: 'Null for the instance itself (started, cancelled).' },
    status: { type: 'string', description: '`started`, `completed`, `approved`, `rejected`, `waiting`, `timed_out`, `failed`, `cancelled`, ...' },
    by: { type: ['string', 'null'], description: 'The deciding (or starting) user; null for the engine.' },
    at: TIME,
    detail: { type: 'object', additionalProperties: true, description: 'E.g. `{next, comment}` of a decision, `{result, next}` of a condition, `{error}`.' }
  },
  additionalProperties: false
}

/** What started an instance (empty for instances older than this record). */
const TRIGGER: Schema = {
  type: 'object',
  properties: { entity: { type: 'string' }, field: { type: 'string' }, from: {}, to: {}, record_id: {} },
  additionalProperties: false
}

const ASSIGNEE: Schema = {
  type: ['object', 'null'],
  properties: { type: { type: 'string', enum: ['role', 'user'] }, role: { type: 'string' }, user_id: { type: 'string' } },
  additionalProperties: false,
  description: '`{type: role, role}` or `{type: user, user_id}` while paused at an approval that names one.'
}

/** A workflow instance as the API shows it: the lease bookkeeping stays internal (docs/reference.md, "Workflows"). */
const INSTANCE: Schema = {
  type: 'object',
  required: ['id', 'workflow_id', 'workflow_name', 'status', 'waiting_for', 'current_step', 'current_step_deadline', 'context', 'history', 'trigger', 'assignee', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    workflow_id: { type: ['string', 'null'], format: 'uuid', description: 'Null once the workflow was deleted.' },
    workflow_name: { type: 'string' },
    status: { type: 'string', enum: [...INSTANCE_STATUSES] },
    waiting_for: { type: ['string', 'null'], enum: [...WAITING_FOR, null], description: 'Set while a `running` instance is paused at an approval or a wait.' },
    current_step: { type: ['string', 'null'] },
    current_step_deadline: { type: ['string', 'null'], format: 'date-time', description: 'When a wait ends or an approval times out.' },
    context: { type: 'object', additionalProperties: true },
    history: { type: 'array', items: HISTORY_ENTRY },
    trigger: TRIGGER,
    assignee: ASSIGNEE,
    created_at: TIME,
    updated_at: TIME
  },
  additionalProperties: false
}

const ONE = dataEnvelope(INSTANCE)

/** `{comment?}`; no body at all is no comment. */
const DECISION_BODY: Schema = {
  type: 'object',
  properties: { comment: { type: ['string', 'null'], maxLength: MAX_COMMENT, description: 'Kept in the history entry of the decision.' } },
  additionalProperties: false
}

const decision = (verb: 'approve' | 'reject'): Record<string, unknown> => ({
  operationId: `workflows_${verb}`,
  summary: `${verb === 'approve' ? 'Approve' : 'Reject'} the approval an instance waits on`,
  description: 'An assignee (role or user) or an admin; then runs the steps that follow until the instance pauses or ends, and answers it as it stands. ' +
    '404 when the caller cannot see the instance, 409 when it is not waiting for an approval (decided, timed out, finished).',
  tags: ['workflows'],
  params: ID_PARAMS,
  // A malformed decision body was always 400 INVALID_PAYLOAD (the details name the key); kept.
  bodyFailureStatus: 400,
  body: DECISION_BODY,
  response: { 200: ONE },
  errors: [409]
})

/**
 * Route schemas of the workflow runtime `/_workflows` (docs/reference.md, "Workflows"). An id
 * that is not a uuid is 404 like an instance the caller may not see.
 */
export const INSTANCE_ROUTES = {
  list: {
    operationId: 'workflows_list_instances',
    summary: 'Workflow instances (admin monitor)',
    tags: ['workflows'],
    querystring: pagedQuery({
      status: { type: 'string', enum: [...INSTANCE_STATUSES] },
      workflow: { type: 'string', maxLength: 200 },
      waiting_for: { type: 'string', enum: [...WAITING_FOR] }
    }),
    response: { 200: pagedList(INSTANCE) }
  },
  pending: {
    operationId: 'workflows_pending',
    summary: 'Approvals the caller may decide',
    description: 'Assignee role or user; admins see all (and alone decide those without an assignee). Oldest first.',
    tags: ['workflows'],
    querystring: pagedQuery({}),
    response: { 200: pagedList(INSTANCE) }
  },
  get: {
    operationId: 'workflows_get_instance',
    summary: 'One instance with its history',
    description: 'To admins, the assignees of its pending approval and anyone in its history; 404 to others.',
    tags: ['workflows'],
    params: ID_PARAMS,
    response: { 200: ONE }
  },
  approve: decision('approve'),
  reject: decision('reject')
}
