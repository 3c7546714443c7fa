import { dataEnvelope, errorResponses, jsonContent } from './components.js'
import type { OperationObject } from './types.js'

/**
 * An operation a JSON route schema cannot declare, keyed by `METHOD /path` (Fastify syntax):
 * every other system route is documented from its own schema (`route-paths.ts`).
 */
export type KnownOperations = Record<string, OperationObject>

/** `POST /_files/upload`: multipart with one `file` part. */
export function fileOperations (): KnownOperations {
  return {
    'POST /_files/upload': {
      operationId: 'files_upload',
      summary: 'Upload a file (streamed; size-limited)',
      description: 'Its `id` is what a `file` field accepts.',
      tags: ['files'],
      requestBody: {
        required: true,
        content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } }
      },
      responses: {
        '2XX': {
          description: 'The stored file.',
          content: jsonContent(dataEnvelope({ type: 'object', properties: { id: { type: 'string', format: 'uuid' }, filename: { type: 'string' }, size: { type: 'integer' }, mime_type: { type: 'string' }, url: { type: 'string', description: 'The path that serves the file' }, created_at: { type: 'string', format: 'date-time' } } }))
        },
        ...errorResponses([400, 401, 403, 413, 500])
      }
    }
  }
}
