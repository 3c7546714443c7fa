import { incomparable } from './compare.js'
import { defineFieldType, fail, type FieldTypeOptions } from './spec.js'

/**
 * What JSONB types share: nothing but null checks in queries; sent as our own JSON text
 * (`::text::jsonb`: postgres.js would stringify a parameter typed jsonb a second time, so a
 * string would be double-encoded), read back parsed.
 */
const JSONB: Pick<FieldTypeOptions, 'columnType' | 'fromQuery' | 'ordered' | 'comparable' | 'compare' | 'cast' | 'toParam' | 'fromText' | 'jsonSql'> = {
  columnType: () => 'jsonb',
  fromQuery: () => fail('cannot be filtered by value'),
  ordered: false,
  comparable: false,
  compare: incomparable,
  cast: '::text::jsonb',
  toParam: (value) => JSON.stringify(value),
  fromText: (text) => JSON.parse(text) as unknown,
  jsonSql: (expr) => `COALESCE(${expr}, 'null'::jsonb)`
}

/** `json`: JSONB holding any JSON value. */
export const json = defineFieldType({
  ...JSONB,
  inputSchema: () => ({}),
  outputSchema: () => ({}),
  expected: 'a JSON value',
  family: 'json'
})

/** `file`: JSONB `{id, filename, size, mime_type}`; clients send the uploaded file's id. */
export const file = defineFieldType({
  ...JSONB,
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
  expected: 'the id of an uploaded file (a UUID) or an object {"id": ...}',
  note: 'Send the id of an uploaded file; returned as `{id, filename, size, mime_type}`.',
  file: true,
  family: 'file'
})
