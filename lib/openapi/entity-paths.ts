import type { CompiledEntity } from '../metadata/compiled.js'
import { dataEnvelope, errorResponses, jsonContent } from './components.js'
import { deleteResultSchema } from './entity-components.js'
import { schemaRef, type ComponentNames } from './names.js'
import { idParameter, includeParameter, listParameters } from './parameters.js'
import type { LinkObject, OperationObject, PathItemObject } from './types.js'

/** operationIds are `<action>_<entity>`: stable across metadata versions and unique per app. */
export function entityOperationId (action: 'list' | 'create' | 'get' | 'update' | 'delete', entity: string): string {
  return `${action}_${entity}`
}

/** Links from a created record to the operations on it: the `{id}` is the response's primary key. */
function recordLinks (entity: CompiledEntity): Record<string, LinkObject> {
  const id = `$response.body#/data/${entity.pk.name}`
  const link = (action: 'get' | 'update' | 'delete'): LinkObject => ({ operationId: entityOperationId(action, entity.name), parameters: { id } })
  return { get: link('get'), update: link('update'), delete: link('delete') }
}

const READ_ERRORS = [400, 401, 403, 404, 500]
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
      description: 'Filter, sort, paginate and include related records. Unknown fields are `UNKNOWN_FIELD` (400); values that do not convert, unknown operators and unknown relations are `INVALID_PAYLOAD` (400).',
      tags,
      parameters: listParameters(entity),
      responses: {
        200: { description: 'One page of records and the total count.', content: jsonContent(schemaRef(names.entity(e, 'list'))) },
        ...errorResponses(READ_ERRORS)
      }
    },
    post: {
      operationId: entityOperationId('create', e),
      summary: `Create a ${e} record`,
      description: 'Creates the record and any nested related records in one transaction; any failure rolls back everything.',
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
      parameters: [idParameter(entity), ...includeParameter(entity)],
      responses: { 200: singleResponse(record, 'The record.'), ...errorResponses(READ_ERRORS) }
    },
    put: {
      operationId: entityOperationId('update', e),
      summary: `Update a ${e} record`,
      description: 'Partial update: only the fields sent change; auto fields and the primary key are ignored.',
      tags,
      parameters: [idParameter(entity), ...includeParameter(entity)],
      requestBody: body(names.entity(e, 'update'), `Changes to the ${e}.`),
      responses: { 200: singleResponse(record, 'The updated record.'), ...errorResponses(WRITE_ERRORS) }
    },
    delete: {
      operationId: entityOperationId('delete', e),
      summary: `Delete a ${e} record`,
      description: `${softly} Relations apply their \`on_delete\` policy (\`restrict\` answers 409 while children exist).`,
      tags,
      parameters: [idParameter(entity)],
      responses: { 200: { description: 'The deleted record\'s key.', content: jsonContent(deleteResultSchema(entity)) }, ...errorResponses(DELETE_ERRORS) }
    }
  }
}

/**
 * The five operations of one entity as two path items: `/<entity>` (list, create) and
 * `/<entity>/{id}` (get, update, delete).
 */
export function entityPaths (entity: CompiledEntity, names: ComponentNames): Record<string, PathItemObject> {
  return { [`/${entity.name}`]: collectionItem(entity, names), [`/${entity.name}/{id}`]: recordItem(entity, names) }
}
