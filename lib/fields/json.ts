import { fail, type FieldTypeSpec } from './spec.js'

/** `json`: JSONB holding any JSON value. Not filterable except for null checks. */
export const json: FieldTypeSpec = {
  columnType: () => 'jsonb',
  inputSchema: () => ({}),
  outputSchema: () => ({}),
  fromQuery: () => fail('cannot be filtered by value'),
  ordered: false,
  widensTo: []
}

/** `file`: JSONB `{id, filename, size, mime_type}`; clients send the uploaded file's id. */
export const file: FieldTypeSpec = {
  columnType: () => 'jsonb',
  inputSchema: () => ({
    anyOf: [
      { type: 'string', format: 'uuid' },
      { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } }
    ]
  }),
  outputSchema: () => ({
    type: 'object',
    properties: {
      id: { type: 'string' },
      filename: { type: 'string' },
      size: { type: 'integer' },
      mime_type: { type: 'string' }
    }
  }),
  fromQuery: () => fail('cannot be filtered by value'),
  ordered: false,
  widensTo: []
}
