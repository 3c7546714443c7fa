import type { FieldTypeSpec } from './spec.js'

/** `string` and `text`: both TEXT; `max_length` is checked by the validator, not the column. */
export const text: FieldTypeSpec = {
  columnType: () => 'text',
  inputSchema: (f) => (f.max_length !== undefined ? { type: 'string', maxLength: f.max_length } : { type: 'string' }),
  outputSchema: () => ({ type: 'string' }),
  fromQuery: (raw) => raw,
  ordered: true,
  widensTo: []
}
