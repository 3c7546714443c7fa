import { compare, isIn, isRecord, toDate, toNumber } from './operators.js'

/** A built-in function: its arity (checked when the expression is saved) and implementation. */
export interface FunctionSpec {
  readonly minArgs: number
  readonly maxArgs: number
  readonly call: (...args: unknown[]) => unknown
}

/** `len(x)`: length of a string or array, key count of a record, 0 for anything else. */
function len (value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length
  return isRecord(value) ? Object.keys(value).length : 0
}

/**
 * Sum of a list: of its numeric items, or of `map(item)` for each item (the compiled form of
 * `sum(list, 'expr')`). Null, non-numeric values and non-list inputs count as 0.
 */
export function sumOf (list: unknown, map?: (item: unknown) => unknown): number {
  if (!Array.isArray(list)) return 0
  let total = 0
  for (const item of list) {
    const n = toNumber(map === undefined ? item : map(item))
    if (n !== null && Number.isFinite(n)) total += n
  }
  return total
}

/**
 * `min`/`max` over their arguments, or over the items of a single list argument. Numbers and
 * numeric strings win: when any is present the others are ignored and a number comes back.
 * Otherwise Dates (by instant) or strings are ordered; nulls are skipped; empty gives null.
 */
function extreme (sign: 1 | -1): (...args: unknown[]) => unknown {
  // sign -1 keeps the smallest value (min), +1 the largest (max).
  return (...args) => {
    const first = args[0]
    const values = args.length === 1 && Array.isArray(first) ? first as unknown[] : args
    let bestNumber: number | null = null
    let best: unknown = null
    for (const value of values) {
      const n = toNumber(value)
      if (n !== null) {
        if (!Number.isNaN(n) && (bestNumber === null || (n - bestNumber) * sign > 0)) bestNumber = n
        continue
      }
      if (value === null || value === undefined) continue
      const order = best === null ? sign : compare(value, best)
      if (order !== undefined && order * sign > 0) best = value
    }
    return bestNumber ?? best
  }
}

function abs (value: unknown): number | null {
  const n = toNumber(value)
  return n === null ? null : Math.abs(n)
}

/**
 * `round(x, digits = 0)`: half away from zero, on the decimal representation so that
 * round(1.005, 2) is 1.01 (money). Digits are clamped to -15..15.
 */
function round (value: unknown, digits?: unknown): number | null {
  const n = toNumber(value)
  const d = digits === undefined ? 0 : toNumber(digits)
  if (n === null || d === null || !Number.isFinite(n) || Number.isNaN(d)) return null
  const places = Math.trunc(Math.min(15, Math.max(-15, d)))
  const shifted = Math.round(shiftDecimal(Math.abs(n), places))
  return Math.sign(n) * shiftDecimal(shifted, -places)
}

/** x × 10^places computed on the exponent of the string form, free of binary rounding. */
function shiftDecimal (x: number, places: number): number {
  const [mantissa, exponent = '0'] = String(x).split('e')
  return Number(`${mantissa}e${Number(exponent) + places}`)
}

function textual (value: unknown, convert: (s: string) => string): string | null {
  if (typeof value === 'string') return convert(value)
  return typeof value === 'number' || typeof value === 'bigint' ? convert(String(value)) : null
}

function startsWith (value: unknown, prefix: unknown): boolean {
  return typeof value === 'string' && typeof prefix === 'string' && value.startsWith(prefix)
}

function spec (minArgs: number, maxArgs: number, call: (...args: never[]) => unknown): FunctionSpec {
  return { minArgs, maxArgs, call: call as (...args: unknown[]) => unknown }
}

/**
 * The fixed function set. A Map, not an object, so that a name like `constructor` can never
 * resolve to something inherited. `sum` with an expression argument is compiled specially.
 */
export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map([
  ['len', spec(1, 1, len)],
  ['sum', spec(1, 2, (list: unknown) => sumOf(list))],
  ['min', spec(1, Infinity, extreme(-1))],
  ['max', spec(1, Infinity, extreme(1))],
  ['abs', spec(1, 1, abs)],
  ['round', spec(1, 2, round)],
  ['lower', spec(1, 1, (v: unknown) => textual(v, (s) => s.toLowerCase()))],
  ['upper', spec(1, 1, (v: unknown) => textual(v, (s) => s.toUpperCase()))],
  ['contains', spec(2, 2, (haystack: unknown, needle: unknown) => isIn(needle, haystack))],
  ['startsWith', spec(2, 2, startsWith)],
  ['now', spec(0, 0, () => new Date())],
  ['date', spec(1, 1, toDate)]
])
