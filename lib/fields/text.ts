import { asText, byValue } from './compare.js'
import { defineFieldType, type PrimaryKeySpec } from './spec.js'

const BLANK_RE = /^\s*$/u

/** A text primary key: client-supplied, any `{id}` is one. */
export const textKey: PrimaryKeySpec = {
  generates: false,
  identity: false,
  column: () => 'text PRIMARY KEY',
  pathSchema: { type: 'string' },
  malformed: 'must be a string'
}

/** `string` and `text`: both TEXT; `max_length` is checked by the validator, not the column. */
export const text = defineFieldType({
  columnType: () => 'text',
  inputSchema: (f) => (f.max_length !== undefined ? { type: 'string', maxLength: f.max_length } : { type: 'string' }),
  outputSchema: () => ({ type: 'string' }),
  expected: 'a string',
  fromQuery: (raw) => raw,
  filterSchema: (f) => (Array.isArray(f.enum) ? { type: 'string', enum: f.enum } : { type: 'string' }),
  ordered: true,
  textual: true,
  family: 'string',
  // Code point order: PostgreSQL's follows the collation, so only gt/lt can differ, never equality.
  compare: byValue(asText),
  cast: '::text',
  // Whitespace only is as empty as '' (docs/VALIDATION.md, "Validation").
  blank: (v) => typeof v === 'string' && BLANK_RE.test(v),
  isKeyValue: (v) => typeof v === 'string' && v !== '',
  primaryKey: textKey
})
