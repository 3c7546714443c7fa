import { fail, type FieldTypeSpec } from './spec.js'

const TRUE = new Set(['true', '1', 't', 'yes'])
const FALSE = new Set(['false', '0', 'f', 'no'])

/** `boolean`: BOOLEAN. */
export const boolean: FieldTypeSpec = {
  columnType: () => 'boolean',
  inputSchema: () => ({ type: 'boolean' }),
  outputSchema: () => ({ type: 'boolean' }),
  fromQuery: (raw) => {
    const v = raw.toLowerCase()
    if (TRUE.has(v)) return true
    if (FALSE.has(v)) return false
    return fail('must be true or false')
  },
  ordered: false,
  widensTo: []
}
