import { INTEGER_RE, type Compare } from './spec.js'

/** A comparison of the values `convert` maps to (numbers, bigints or strings); null when either does not convert. */
export const byValue = <T>(convert: (v: unknown) => T | null): Compare => (a, b) => {
  const x = convert(a)
  const y = convert(b)
  if (x === null || y === null || x === undefined || y === undefined) return null
  return x < y ? -1 : x > y ? 1 : 0
}

export function toNumber (v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
  return Number.isFinite(n) ? n : null
}

export function toBigInt (v: unknown): bigint | null {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  return typeof v === 'string' && INTEGER_RE.test(v) ? BigInt(v) : null
}

export function toMillis (v: unknown): number | null {
  const t = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : NaN
  return Number.isNaN(t) ? null : t
}

export const asText = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** JSON values have no order and no equality the API defines. */
export const incomparable: Compare = () => null
