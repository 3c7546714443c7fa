import { dataEnvelope, type Schema } from '../schema/route-schemas.js'

const SAMPLE: Schema = { type: 'object', additionalProperties: true }
const SAMPLE_OR_NULL: Schema = { type: ['object', 'null'], additionalProperties: true }

/**
 * `POST /_admin/expressions/evaluate` (docs/reference.md, "Expressions"). The body is closed: a
 * typo such as `recrod` must not evaluate silently against nothing. Whether the expression parses
 * and stays within the whitelist is the compiler's to say (422 with its `position`).
 */
export const EVALUATE_ROUTE = {
  operationId: 'admin_evaluate_expression',
  summary: 'Evaluate an expression against sample variables',
  description: 'The admin UI\'s expression tester: parsed and compiled as metadata expressions are (never eval), evaluated once with the default step budget. ' +
    'A syntax or whitelist error is 422 with the 0-based `position` in its detail; an exhausted budget is 422 too.',
  tags: ['admin'],
  body: {
    type: 'object',
    required: ['expression'],
    properties: {
      expression: { type: 'string', minLength: 1, maxLength: 10_000 },
      record: SAMPLE,
      old: { ...SAMPLE_OR_NULL, description: 'Given and not null: `action` defaults to `update`.' },
      user: { ...SAMPLE_OR_NULL, description: '`{id, email, roles}`.' },
      related: { ...SAMPLE, description: 'Relation name → its loaded records.' },
      context: { ...SAMPLE, description: 'Workflow context.' },
      action: { type: 'string', enum: ['create', 'update', 'delete'] }
    },
    additionalProperties: false
  },
  response: {
    200: dataEnvelope({
      type: 'object',
      required: ['result'],
      properties: { result: { description: 'Any JSON value; a date is sent as an ISO 8601 string, nothing as null.' } },
      additionalProperties: false
    })
  }
}
