import { DECIMAL_RE, INTEGER_RE } from '../fields/spec.js'
import type { FieldType } from '../metadata/types.js'
import type { SqlFilter } from '../query/index.js'

/** Tests one record (a row loaded from the database, or a validated payload) in JavaScript. */
export type RowTest = (row: Readonly<Record<string, unknown>>) => boolean

/** Three-way comparison of two values of one field type; null when either does not convert. */
type Compare = (a: unknown, b: unknown) => number | null

const sign = (d: number): number => (d < 0 ? -1 : d > 0 ? 1 : 0)

function toNumber (v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
  return Number.isFinite(n) ? n : null
}

function toBigInt (v: unknown): bigint | null {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  return typeof v === 'string' && INTEGER_RE.test(v) ? BigInt(v) : null
}

function toMillis (v: unknown): number | null {
  const t = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : NaN
  return Number.isNaN(t) ? null : t
}

/** A decimal as sign, integer digits and fraction digits, without redundant zeros (exact). */
interface Dec { neg: boolean, int: string, frac: string }

function toDecimal (v: unknown): Dec | null {
  const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : ''
  if (!DECIMAL_RE.test(s)) return null
  const neg = s.startsWith('-')
  const [mantissa = '', expText] = s.replace(/^-/, '').toLowerCase().split('e')
  const exp = Number(expText ?? 0)
  if (Math.abs(exp) > 1000) return null
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

const byValue = <T>(convert: (v: unknown) => T | null): Compare => (a, b) => {
  const x = convert(a)
  const y = convert(b)
  if (x === null || y === null || x === undefined || y === undefined) return null
  return x < y ? -1 : x > y ? 1 : 0
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/**
 * Comparison per field type, agreeing with PostgreSQL on the values the API stores: numbers
 * and BIGINT/NUMERIC text exactly, timestamps by instant, dates as 'YYYY-MM-DD', UUIDs
 * case-insensitively. Text compares by code point (PostgreSQL's order follows the collation;
 * only gt/lt on text can differ, never equality).
 */
const COMPARE: Readonly<Record<FieldType, Compare>> = {
  int: byValue(toNumber),
  bigint: byValue(toBigInt),
  decimal: compareDecimal,
  timestamp: byValue(toMillis),
  date: byValue((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : text(v))),
  boolean: byValue((v) => (typeof v === 'boolean' ? Number(v) : null)),
  uuid: byValue((v) => (typeof v === 'string' ? v.toLowerCase() : null)),
  string: byValue(text),
  text: byValue(text),
  json: () => null,
  file: () => null
}

/**
 * A JavaScript test equivalent to the SQL `renderCondition` renders for `filter`, with SQL's
 * NULL semantics: a missing or null value satisfies only `is_null: true`. Used where a row
 * is checked in memory (write permissions against the current row or the incoming record).
 */
export function rowTestOf (filter: SqlFilter): RowTest {
  const name = filter.field.name
  const cmp = COMPARE[filter.field.type]
  const expected = filter.value
  const is = (v: unknown, want: (c: number) => boolean): boolean => {
    if (v === null || v === undefined) return false
    const c = cmp(v, expected)
    return c !== null && want(c)
  }
  switch (filter.op) {
    case 'is_null': return (row) => (row[name] === null || row[name] === undefined) === (expected === true)
    case 'eq': return (row) => is(row[name], (c) => c === 0)
    case 'neq': return (row) => is(row[name], (c) => c !== 0)
    case 'gt': return (row) => is(row[name], (c) => c > 0)
    case 'gte': return (row) => is(row[name], (c) => c >= 0)
    case 'lt': return (row) => is(row[name], (c) => c < 0)
    case 'lte': return (row) => is(row[name], (c) => c <= 0)
    case 'in':
    case 'not_in': {
      const list = Array.isArray(expected) ? expected : [expected]
      const member = (v: unknown): boolean => list.some((e) => cmp(v, e) === 0)
      return filter.op === 'in'
        ? (row) => row[name] !== null && row[name] !== undefined && member(row[name])
        : (row) => row[name] !== null && row[name] !== undefined && !member(row[name])
    }
    default:
      // like/ilike are not permission operators; refuse rather than guess.
      return () => false
  }
}
