import { MAX_DATE_LENGTH, parseDecimal } from './numeric.js'

/**
 * Value semantics of the expression language, shared by operators and functions.
 *
 * - PostgreSQL returns NUMERIC and BIGINT as strings ("12.50"): a string that is a plain
 *   decimal number counts as a number in arithmetic and ordering (not in equality).
 * - Arithmetic is null-propagating, as in SQL: a null operand, a non-numeric operand,
 *   division by zero or a non-finite result gives null. Dates take part as epoch milliseconds.
 * - Ordering (< <= > >=) is false whenever the operands are not comparable (null, mixed kinds).
 * - Equality is strict (`1 == '1'` is false); null equals only null, two Dates are equal when
 *   they denote the same instant.
 */

/** Numbers, numeric strings and bigints as a number; anything else as null. */
export function toNumber (value: unknown): number | null {
  switch (typeof value) {
    case 'number': return value
    case 'string': return parseDecimal(value)
    case 'bigint': return Number(value)
    default: return null
  }
}

/**
 * A Date from a Date, a date string or epoch milliseconds; null when absent or invalid.
 * Date-only strings ('YYYY-MM-DD') mean UTC midnight, as in JavaScript and postgres.js.
 */
export function toDate (value: unknown): Date | null {
  let date: Date
  if (value instanceof Date) date = value
  else if (typeof value === 'string' && value.length <= MAX_DATE_LENGTH && value.trim() !== '') date = new Date(value)
  else if (typeof value === 'number') date = new Date(value)
  else return null
  return Number.isNaN(date.getTime()) ? null : date
}

function arithmeticOperand (value: unknown): number | null {
  return value instanceof Date ? value.getTime() : toNumber(value)
}

function finiteOrNull (n: number): number | null {
  return Number.isFinite(n) ? n : null
}

type Arithmetic = (a: number, b: number) => number | null

function arithmetic (op: Arithmetic): (a: unknown, b: unknown) => number | null {
  return (a, b) => {
    const x = arithmeticOperand(a)
    if (x === null) return null
    const y = arithmeticOperand(b)
    return y === null ? null : op(x, y)
  }
}

/** `+`: numeric when both sides are numeric, string concatenation of strings and numbers. */
export function add (a: unknown, b: unknown): unknown {
  if (a === null || a === undefined || b === null || b === undefined) return null
  const x = arithmeticOperand(a)
  const y = arithmeticOperand(b)
  if (x !== null && y !== null) return finiteOrNull(x + y)
  if ((typeof a === 'string' || typeof b === 'string') && isTextual(a) && isTextual(b)) {
    return String(a) + String(b)
  }
  return null
}

function isTextual (value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint'
}

export const subtract = arithmetic((x, y) => finiteOrNull(x - y))
export const multiply = arithmetic((x, y) => finiteOrNull(x * y))
export const divide = arithmetic((x, y) => y === 0 ? null : finiteOrNull(x / y))
export const remainder = arithmetic((x, y) => y === 0 ? null : finiteOrNull(x % y))

/** Unary minus and plus: numeric operands only. */
export function negate (value: unknown): number | null {
  const n = arithmeticOperand(value)
  return n === null ? null : -n
}

export function plus (value: unknown): number | null {
  return arithmeticOperand(value)
}

/** `==` and `===`: strict, except null == undefined and Dates compared by instant. */
export function equals (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || a === undefined) return b === null || b === undefined
  return a instanceof Date && b instanceof Date && a.getTime() === b.getTime()
}

/**
 * Order of two values: negative, zero or positive, or undefined when they are not comparable.
 * A Date against a Date, date string or epoch number compares instants; two numeric values
 * compare numerically; two strings lexicographically (ISO dates sort correctly); booleans
 * as 0/1.
 */
export function compare (a: unknown, b: unknown): number | undefined {
  if (a === null || a === undefined || b === null || b === undefined) return undefined
  if (a instanceof Date || b instanceof Date) {
    const x = toDate(a)
    const y = toDate(b)
    return x === null || y === null ? undefined : x.getTime() - y.getTime()
  }
  const x = toNumber(a)
  const y = toNumber(b)
  if (x !== null && y !== null) return Number.isNaN(x - y) ? undefined : x - y
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  return undefined
}

export const lessThan = (a: unknown, b: unknown): boolean => (compare(a, b) ?? NaN) < 0
export const lessOrEqual = (a: unknown, b: unknown): boolean => (compare(a, b) ?? NaN) <= 0
export const greaterThan = (a: unknown, b: unknown): boolean => (compare(a, b) ?? NaN) > 0
export const greaterOrEqual = (a: unknown, b: unknown): boolean => (compare(a, b) ?? NaN) >= 0

/** A non-null, non-array, non-Date object: a record whose own keys are its fields. */
export function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
}

/**
 * `needle in haystack`: element of an array (by `equals`), own key of a record, substring of
 * a string. Anything else, including a null haystack, is false.
 */
export function isIn (needle: unknown, haystack: unknown): boolean {
  if (Array.isArray(haystack)) {
    for (const item of haystack) if (equals(item, needle)) return true
    return false
  }
  if (typeof haystack === 'string') {
    return isTextual(needle) && haystack.includes(String(needle))
  }
  if (isRecord(haystack)) {
    return (typeof needle === 'string' || typeof needle === 'number') && Object.hasOwn(haystack, needle)
  }
  return false
}

/**
 * `object.key` / `object[key]`: own properties only, so nothing from a prototype (methods,
 * `constructor`, `__proto__`) is ever reachable. Strings expose `length` and indexes.
 * Missing members, and members of null, are null — never an exception.
 */
export function readMember (object: unknown, key: unknown): unknown {
  if (typeof key !== 'string' && typeof key !== 'number') return null
  if (typeof object === 'string') {
    if (key === 'length') return object.length
    return typeof key === 'number' && Number.isInteger(key) ? object[key] ?? null : null
  }
  if (typeof object !== 'object' || object === null || object instanceof Date) return null
  return Object.hasOwn(object, key) ? (object as Record<string | number, unknown>)[key] ?? null : null
}
