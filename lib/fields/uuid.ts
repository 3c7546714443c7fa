import { UUID_RE, fail, type FieldTypeSpec } from './spec.js'

/** `uuid`: UUID. */
export const uuid: FieldTypeSpec = {
  columnType: () => 'uuid',
  inputSchema: () => ({ type: 'string', format: 'uuid' }),
  outputSchema: () => ({ type: 'string', format: 'uuid' }),
  fromQuery: (raw) => {
    if (!UUID_RE.test(raw)) fail('must be a UUID')
    return raw.toLowerCase()
  },
  ordered: true,
  widensTo: ['text']
}
