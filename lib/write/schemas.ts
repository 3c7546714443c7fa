import { indexedPaths, nameDetailPaths } from '../schema/route-validation.js'
import { dataEnvelope, type Schema } from '../schema/route-schemas.js'

export const MAX_BATCH = 100

const methodIs = (method: string): Schema => ({ required: ['method'], properties: { method: { const: method } } })

/** One write of a batch: which key it needs follows from its method. */
const OPERATION: Schema = {
  type: 'object',
  required: ['method', 'entity'],
  properties: {
    method: { type: 'string', enum: ['POST', 'PUT', 'DELETE'] },
    entity: { type: 'string', minLength: 1 },
    id: { type: 'string', minLength: 1, description: 'PUT and DELETE (required): the record\'s primary key. POST takes none.' },
    body: { type: 'object', additionalProperties: true, description: 'POST and PUT (required): the record, or the changes; checked by the entity like a single write.' }
  },
  additionalProperties: false,
  allOf: [
    { if: methodIs('POST'), then: { required: ['body'], properties: { id: false } } },
    { if: methodIs('PUT'), then: { required: ['id', 'body'] } },
    { if: methodIs('DELETE'), then: { required: ['id'] } }
  ]
}

const RESULT: Schema = {
  type: 'object',
  required: ['method', 'entity', 'status', 'data'],
  properties: {
    method: { type: 'string', enum: ['POST', 'PUT', 'DELETE'] },
    entity: { type: 'string' },
    status: { type: 'integer', enum: [200, 201] },
    data: { type: 'object', additionalProperties: true, description: 'The record as written, as the entity\'s own write answers it; `{id}` for a DELETE.' }
  },
  additionalProperties: false
}

/** `POST /_batch` (docs/QUERYING.md, "Bulk and batch writes"); entities, ids and bodies are checked when each operation runs. */
export const BATCH_ROUTE = {
  operationId: 'batch',
  summary: 'Run several writes in one transaction',
  description: `At most ${MAX_BATCH} operations, run in order in ONE transaction with every hook, rule, state machine and permission. ` +
    'Any failure rolls all back and names the operation index (`details[0].index`).',
  tags: ['batch'],
  // A malformed batch was always 400 INVALID_PAYLOAD (with the details naming the paths); kept.
  bodyFailureStatus: 400 as const,
  body: nameDetailPaths({
    type: 'object',
    required: ['operations'],
    properties: { operations: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: OPERATION } },
    additionalProperties: false
  }, indexedPaths),
  response: { 200: dataEnvelope({ type: 'array', items: RESULT, description: 'One result per operation, in order.' }) }
}
