import { INTEGER_RE, fail, type FieldTypeSpec } from './spec.js'

const INT_MIN = -2147483648
const INT_MAX = 2147483647

/** `int`: INTEGER, a JSON integer within 32 bits. */
export const int: FieldTypeSpec = {
  columnType: () => 'integer',
  inputSchema: () => ({ type: 'integer', minimum: INT_MIN, maximum: INT_MAX }),
  outputSchema: () => ({ type: 'integer' }),
  fromQuery: (raw) => {
    if (!INTEGER_RE.test(raw)) fail('must be an integer')
    const n = Number(raw)
    if (n < INT_MIN || n > INT_MAX) fail('is out of range')
    return n
  },
  ordered: true,
  widensTo: ['bigint', 'numeric']
}

/** `bigint`: BIGINT, accepted as an integer or a digit string, returned as a string (exact). */
export const bigint: FieldTypeSpec = {
  columnType: () => 'bigint',
  inputSchema: () => ({ anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?[0-9]{1,19}$' }] }),
  outputSchema: () => ({ type: 'string' }),
  fromQuery: (raw) => {
    if (!INTEGER_RE.test(raw) || raw.replace('-', '').length > 19) fail('must be an integer')
    return raw
  },
  ordered: true,
  widensTo: ['numeric']
}
