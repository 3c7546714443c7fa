import { DECIMAL_RE, defineFieldType, fail } from './spec.js'
import type { FieldDef } from '../metadata/types.js'

const DECIMAL_EXPONENT_RE = /[eE]([-+]?\d+)$/
/** NUMERIC holds far more, but no declared precision exceeds 1000 digits. */
const MAX_DECIMAL_EXPONENT = 1000

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

/** A decimal as sign, integer digits and fraction digits, without redundant zeros (exact). */
interface Dec { neg: boolean, int: string, frac: string }

function toDecimal (v: unknown): Dec | null {
  const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : ''
  if (!DECIMAL_RE.test(s)) return null
  const neg = s.startsWith('-')
  const [mantissa = '', expText] = s.replace(/^-/, '').toLowerCase().split('e')
  const exp = Number(expText ?? 0)
  if (Math.abs(exp) > MAX_DECIMAL_EXPONENT) return null
  const [ip = '', fp = ''] = mantissa.split('.')
  // Move the decimal point `exp` places: digits stay exact, only their position changes.
  const digits = ip + fp
  let point = ip.length + exp
  let padded = digits
  if (point < 0) { padded = '0'.repeat(-point) + digits; point = 0 }
  if (point > padded.length) padded = padded + '0'.repeat(point - padded.length)
  const int = padded.slice(0, point).replace(/^0+/, '')
  const frac = padded.slice(point).replace(/0+$/, '')
  return { neg: neg && (int !== '' || frac !== ''), int, frac }
}

const sign = (d: number): number => (d < 0 ? -1 : d > 0 ? 1 : 0)

/** Exact comparison of decimals given as numbers or numeric text (NUMERIC values are text). */
function compareDecimal (a: unknown, b: unknown): number | null {
  const x = toDecimal(a)
  const y = toDecimal(b)
  if (x === null || y === null) return null
  if (x.neg !== y.neg) return x.neg ? -1 : 1
  let mag = x.int.length !== y.int.length ? x.int.length - y.int.length : x.int < y.int ? -1 : x.int > y.int ? 1 : 0
  if (mag === 0) {
    const len = Math.max(x.frac.length, y.frac.length)
    const fx = x.frac.padEnd(len, '0')
    const fy = y.frac.padEnd(len, '0')
    mag = fx < fy ? -1 : fx > fy ? 1 : 0
  }
  return x.neg ? -sign(mag) : sign(mag)
}

/** `decimal`: NUMERIC, accepted as a number or numeric string, returned as a string (exact). */
export const decimal = defineFieldType({
  columnType: numericType,
  widensTo: ['numeric'],
  inputSchema: () => ({ anyOf: [{ type: 'number' }, { type: 'string', pattern: DECIMAL_RE.source }] }),
  outputSchema: () => ({ type: 'string' }),
  expected: 'a decimal number: a JSON number or a numeric string such as "12.50"',
  note: 'Exact decimal; returned as a string.',
  fromQuery: (raw) => {
    if (!DECIMAL_RE.test(raw)) fail('must be a number')
    return raw
  },
  inRange: (value) => {
    const exp = DECIMAL_EXPONENT_RE.exec(value as string)
    return exp === null || Math.abs(Number(exp[1])) <= MAX_DECIMAL_EXPONENT
  },
  filterSchema: () => ({ type: 'string', pattern: '^-?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?$' }),
  // Every precision and scale fits one NUMERIC[] parameter.
  arrayElementType: () => 'numeric',
  ordered: true,
  numeric: true,
  family: 'decimal',
  compare: compareDecimal,
  cast: '::numeric',
  toParam: (value) => String(value),
  shownSql: (expr) => `${expr}::text`,
  optionProblems: (f) => (f.scale !== undefined && (f.precision === undefined || f.scale > f.precision) ? [{ option: 'scale', message: 'scale must not exceed precision', rule: 'range' }] : [])
})
