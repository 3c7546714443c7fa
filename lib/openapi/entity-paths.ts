import type { CompiledEntity } from '../metadata/compiled.js'
import { dataEnvelope, errorResponses, jsonContent } from './components.js'
import { deleteResultSchema } from './entity-components.js'
import { schemaRef, type ComponentNames } from './names.js'
import { filterParameters, idParameter, includeParameter, listParameters } from './parameters.js'
import { aggregateParameters, conditionalHeader, fieldsParameter, queryPowerParameters } from './query-parameters.js'
import type { LinkObject, OperationObject, PathItemObject } from './types.js'

/** operationIds are `<action>_<entity>`: stable across metadata versions and unique per app. */
export function entityOperationId (action: 'list' | 'create' | 'get' | 'update' | 'delete' | 'aggregate', entity: string): string {
  return `${action}_${entity}`
}

/** Links from a created record to the operations on it: the `{id}` is the response's primary key. */
function recordLinks (entity: CompiledEntity): Record<string, LinkObject> {
  const id = `$response.body#/data/${entity.pk.name}`
  const link = (action: 'get' | 'update' | 'delete'): LinkObject => ({ operationId: entityOperationId(action, entity.name), parameters: { id } })
  return { get: link('get'), update: link('update'), delete: link('delete') }
}

const READ_ERRORS = [400, 401, 403, 404, 500]
const PRECONDITION = { description: 'PRECONDITION_FAILED: the record changed since the ETag given in If-Match.', content: jsonContent({ $ref: '#/components/schemas/Error' }) }
const WRITE_ERRORS = [400, 401, 403, 404, 409, 413, 422, 500]
const DELETE_ERRORS = [400, 401, 403, 404, 409, 500]

function body (ref: string, description: string): OperationObject['requestBody'] {
  return { required: true, description, content: jsonContent(schemaRef(ref)) }
}

function singleResponse (record: { $ref: string }, description: string): OperationObject['responses'][string] {
  return { description, content: jsonContent(dataEnvelope(record)) }
}

/** `/<entity>`: list and create. */
function collectionItem (entity: CompiledEntity, names: ComponentNames): PathItemObject {
  const e = entity.name
  const tags = [e]
  const record = schemaRef(names.entity(e, 'record'))
  return {
    get: {
      operationId: entityOperationId('list', e),
      summary: `List ${e} records`,
      description: 'Filter, sort, paginate and include related records. Unknown fields are `UNKNOWN_FIELD` (400); values that do not convert, unknown operators and unknown relations are `INVALID_PAYLOAD` (400). ' +
        'Boolean groups: `filter[or][0][status]=paid&filter[or][1][total.gte]=100`, `filter[and][i][...]`, `filter[not][status.in]=void,draft` (nested up to 4 deep). ' +
        'Relation filters walk up to 3 relations: `filter[customer.status]=active`, `filter[items.quantity.gt]=5` (any child matches). ' +
        'Nested includes: `include=items.product` (depth ≤ 3).',
      tags,
      parameters: [...listParameters(entity), ...queryPowerParameters(entity)],
      responses: {
        200: { description: 'One page of records and the total count.', content: jsonContent(schemaRef(names.entity(e, 'list'))) },
        ...errorResponses(READ_ERRORS)
      }
    },
    post: {
      operationId: entityOperationId('create', e),
      summary: `Create a ${e} record`,
      description: 'Creates the record and any nested related records in one transaction; any failure rolls back everything. ' +
        'Bulk: a JSON array of up to 1,000 such records creates them all in one transaction and answers 201 `{data: [...]}`; a failure names the record index (`details[0].index`) and writes nothing.',
      tags,
      parameters: includeParameter(entity),
      requestBody: body(names.entity(e, 'create'), `A new ${e}.`),
      responses: {
        201: { ...singleResponse(record, 'The created record (with the relations written or included).'), links: recordLinks(entity) },
        ...errorResponses(WRITE_ERRORS)
      }
    }
  }
}

/** `/<entity>/{id}`: get, update and delete. */
function recordItem (entity: CompiledEntity, names: ComponentNames): PathItemObject {
  const e = entity.name
  const tags = [e]
  const record = schemaRef(names.entity(e, 'record'))
  const softly = entity.softDelete ? 'Soft delete: sets `deleted_at`; the record disappears from every read.' : 'Hard delete.'
  return {
    get: {
      operationId: entityOperationId('get', e),
      summary: `Get a ${e} record`,
      tags,
      parameters: [idParameter(entity), ...includeParameter(entity), fieldsParameter(entity), conditionalHeader('If-None-Match')],
      responses: {
        200: { ...singleResponse(record, 'The record, with a weak `ETag` header.'), headers: { ETag: { description: 'Weak validator of this representation.', schema: { type: 'string' } } } },
        304: { description: 'Not modified (If-None-Match matched).' },
        ...errorResponses(READ_ERRORS)
      }
    },
    put: {
      operationId: entityOperationId('update', e),
      summary: `Update a ${e} record`,
      description: 'Partial update: only the fields sent change; auto fields and the primary key are ignored.',
      tags,
      parameters: [idParameter(entity), ...includeParameter(entity), conditionalHeader('If-Match')],
      requestBody: body(names.entity(e, 'update'), `Changes to the ${e}.`),
      responses: { 200: singleResponse(record, 'The updated record.'), ...errorResponses(WRITE_ERRORS), 412: PRECONDITION }
    },
    delete: {
      operationId: entityOperationId('delete', e),
      summary: `Delete a ${e} record`,
      description: `${softly} Relations apply their \`on_delete\` policy (\`restrict\` answers 409 while children exist).`,
      tags,
      parameters: [idParameter(entity), conditionalHeader('If-Match')],
      responses: { 200: { description: 'The deleted record\'s key.', content: jsonContent(deleteResultSchema(entity)) }, ...errorResponses(DELETE_ERRORS), 412: PRECONDITION }
    }
  }
}

/**
 * The five operations of one entity as two path items: `/<entity>` (list, create) and
 * `/<entity>/{id}` (get, update, delete).
 */
export function entityPaths (entity: CompiledEntity, names: ComponentNames): Record<string, PathItemObject> {
  return { [`/${entity.name}`]: collectionItem(entity, names), [`/${entity.name}/_aggregate`]: aggregateItem(entity), [`/${entity.name}/{id}`]: recordItem(entity, names) }
}

/** `/<entity>/_aggregate`. */
function aggregateItem (entity: CompiledEntity): PathItemObject {
  const e = entity.name
  const group = { type: 'object', properties: { count: { type: 'integer' }, sum: { type: 'object' }, avg: { type: 'object' }, min: { type: 'object' }, max: { type: 'object' } } }
  return {
    get: {
      operationId: entityOperationId('aggregate', e),
      summary: `Aggregate ${e} records`,
      description: 'Groups the rows the caller may read (with the list\'s filters, boolean groups, relation filters and search) and computes count, sum, avg, min, max per group.',
      tags: [e],
      parameters: [...aggregateParameters(entity), ...filterParameters(entity)],
      responses: {
        200: { description: 'One object per group.', content: jsonContent({ type: 'object', required: ['data', 'meta'], properties: { data: { type: 'array', items: group }, meta: { type: 'object', properties: { groups: { type: 'integer' } } } } }) },
        ...errorResponses(READ_ERRORS)
      }
    }
  }
}
