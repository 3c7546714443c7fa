import { pagedList, pagedQuery } from '../schema/pagination.js'
import { dataEnvelope, type Schema } from '../schema/route-schemas.js'

/** `:id` of a file: a malformed one is 400 (docs/reference.md, "Files"). */
const FILE_ID_PARAMS: Schema = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } }

/** A `_files` row as the admin list shows it (the storage key stays internal). */
const FILE: Schema = {
  type: 'object',
  required: ['id', 'filename', 'mime_type', 'size', 'uploaded_by', 'created_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    filename: { type: 'string' },
    mime_type: { type: 'string' },
    size: { type: 'integer', minimum: 0, description: 'Bytes.' },
    uploaded_by: { type: ['string', 'null'], format: 'uuid', description: 'The app user who uploaded it; null for a platform user.' },
    created_at: { type: 'string', format: 'date-time' }
  },
  additionalProperties: false
}

/**
 * Route schemas of `/_files` but the upload (multipart, which a JSON schema cannot declare:
 * `lib/openapi/file-paths.ts`).
 */
export const FILE_ROUTES = {
  list: { operationId: 'files_list', summary: 'Uploaded files, newest first (admins)', tags: ['files'], querystring: pagedQuery({}), response: { 200: pagedList(FILE) } },
  download: {
    operationId: 'files_download',
    summary: 'Download a file (streamed)',
    description: 'Any authenticated user of the app. Content-Type, Content-Length and Content-Disposition (attachment for active content) as stored.',
    tags: ['files'],
    params: FILE_ID_PARAMS,
    response: { 200: { description: 'The file\'s bytes.', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } } }
  },
  remove: {
    operationId: 'files_delete',
    summary: 'Delete a file (admins)',
    tags: ['files'],
    params: FILE_ID_PARAMS,
    response: { 200: dataEnvelope({ type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } }, additionalProperties: false }) }
  }
}
