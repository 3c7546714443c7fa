import type { ErrorDetail } from './errors.js'

/**
 * U+0000 and unpaired UTF-16 surrogates are the text PostgreSQL cannot store (TEXT refuses NUL
 * with 22021, JSONB refuses `\u0000` with 22P05 and a lone `\uD800` escape with 22P02), so they
 * are refused before any SQL: 422 naming the field for bodies, 400 for URLs (docs/VALIDATION.md, "Text
 * values"). In a JSON text both can only appear as `\u` escapes (a raw NUL is invalid JSON and
 * invalid UTF-8 bytes decode to U+FFFD), which makes a cheap pre-check on the text possible.
 */
const ESCAPE_RE = /\\u(?:0000|[dD][89a-fA-F])/
const LONE_SURROGATE_RE = /[\uD800-\uDFFF]/u
/** Details reported at most; a body full of NULs needs no thousand lines to be understood. */
const MAX_DETAILS = 20

/** Whether a JSON text may hold a NUL or a lone surrogate (false: no need to walk the parsed value). */
export function mayHoldBadText (jsonText: string): boolean {
  return ESCAPE_RE.test(jsonText)
}

/** What is wrong with a string, or null when PostgreSQL can store it. */
export function badTextReason (s: string): string | null {
  if (s.includes('\u0000')) return 'contains U+0000 (NUL), which text values may not hold'
  if (LONE_SURROGATE_RE.test(s)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode)'
  return null
}

/** The key shown in a detail: NULs and surrogates written as `\\uXXXX`, at most 100 characters. */
function escaped (key: string): string {
  // eslint-disable-next-line no-control-regex -- U+0000 is exactly what this escapes
  return key.slice(0, 100).replace(/[\u0000\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function join (path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return path === '' ? key : `${path}.${key}`
}

/**
 * Every string and object key of a parsed JSON value that holds a NUL or a lone surrogate, as
 * `VALIDATION_FAILED` details whose `field` is the path in the payload (`items[0].meta.note`).
 * Iterative, so a deep value cannot exhaust the stack.
 */
export function badTextDetails (value: unknown): ErrorDetail[] {
  const out: ErrorDetail[] = []
  const stack: Array<{ value: unknown, path: string }> = [{ value, path: '' }]
  while (stack.length > 0 && out.length < MAX_DETAILS) {
    const { value: v, path } = stack.pop() as { value: unknown, path: string }
    if (typeof v === 'string') {
      const reason = badTextReason(v)
      if (reason !== null) out.push({ field: path, rule: 'text', message: `${path === '' ? 'value' : path} ${reason}` })
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: join(path, i) })
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i] as [string, unknown]
        const reason = badTextReason(k)
        // The key itself is refused: name it with the offending code units written as escapes.
        if (reason !== null) out.push({ field: join(path, escaped(k)), rule: 'text', message: `key '${escaped(k)}' ${reason}` })
        else stack.push({ value: child, path: join(path, k) })
      }
    }
  }
  return out
}

/** Whether a raw request URL carries an encoded NUL (`%00`) in its path or query string. */
export function urlHoldsNul (url: string): boolean {
  return url.includes('%00')
}
