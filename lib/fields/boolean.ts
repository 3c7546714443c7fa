import { byValue } from './compare.js'
import { defineFieldType, fail } from './spec.js'

const TRUE = new Set(['true', '1', 't', 'yes'])
const FALSE = new Set(['false', '0', 'f', 'no'])

/** `boolean`: BOOLEAN. */
export const boolean = defineFieldType({
  columnType: () => 'boolean',
  inputSchema: () => ({ type: 'boolean' }),
  outputSchema: () => ({ type: 'boolean' }),
  expected: 'true or false',
  fromQuery: (raw) => {
    const v = raw.toLowerCase()
    if (TRUE.has(v)) return true
    if (FALSE.has(v)) return false
    return fail('must be true or false')
  },
  filterSchema: () => ({ type: 'boolean' }),
  // postgres.js types an array by its first element: JS booleans would be declared `bool`, not `bool[]`.
  arrayLiteral: (list) => `{${list.map((v) => (v === true ? 't' : 'f')).join(',')}}`,
  ordered: false,
  family: 'boolean',
  compare: byValue((v) => (typeof v === 'boolean' ? Number(v) : null)),
  cast: '::boolean',
  fromText: (text) => text === 't' || text === 'true'
})
