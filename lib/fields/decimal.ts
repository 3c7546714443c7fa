import { DECIMAL_RE, fail, type FieldTypeSpec } from './spec.js'
import type { FieldDef } from '../metadata/types.js'

/**
 * Column type of a decimal field. With `scale` given, `precision` is the total digit count
 * (NUMERIC(p,s)). With `precision` alone it counts decimal places, as in the reference's example
 * `{"name": "total", "type": "decimal", "precision": 2}` (money with cents; docs/reference.md,
 * "Metadata: entities, fields, relations"): NUMERIC(p+18, p).
 * With neither, an unconstrained NUMERIC.
 */
export function numericType (f: FieldDef): string {
  if (f.precision === undefined) return 'numeric'
  if (f.scale !== undefined) return `numeric(${Math.trunc(f.precision)},${Math.trunc(f.scale)})`
  const places = Math.trunc(f.precision)
  return `numeric(${Math.min(1000, places + 18)},${places})`
}

/** `decimal`: NUMERIC, accepted as a number or numeric string, returned as a string (exact). */
export const decimal: FieldTypeSpec = {
  columnType: numericType,
  inputSchema: () => ({ anyOf: [{ type: 'number' }, { type: 'string', pattern: DECIMAL_RE.source }] }),
  outputSchema: () => ({ type: 'string' }),
  fromQuery: (raw) => {
    if (!DECIMAL_RE.test(raw)) fail('must be a number')
    return raw
  },
  ordered: true,
  widensTo: ['numeric']
}
