// Pure helpers of the admin forms (no DOM, no Solid): importable by unit tests.
import type { ErrorDetail } from '../api/types.js'

/**
 * The message of the first error detail naming `field`, or one of its sub-paths
 * (`retry` matches `retry.max_attempts`), for showing a 422 next to its input.
 */
export function detailFor (error: unknown, field: string): string | undefined {
  const details = (error as { details?: unknown } | null)?.details
  if (!Array.isArray(details)) return undefined
  const list = details as ErrorDetail[]
  const d = list.find((x) => x.field === field) ??
    list.find((x) => x.field !== undefined && (x.field.startsWith(`${field}.`) || x.field.startsWith(`${field}[`)))
  if (d === undefined) return undefined
  return d.field === field ? d.message : `${d.field ?? ''}: ${d.message}`
}

/** Roles typed as "a, b c": trimmed, empty ones dropped. */
export function parseRoles (text: string): string[] {
  return text.split(/[\s,]+/).map((r) => r.trim()).filter((r) => r !== '')
}

/** Emails of a bulk textarea: one per line, or separated by commas, semicolons or spaces. */
export function parseEmails (text: string): string[] {
  return text.split(/[\s,;]+/).map((e) => e.trim()).filter((e) => e !== '')
}

export type JsonParse<T> = { ok: true, value: T } | { ok: false, message: string }

/** Parses JSON text, describing the problem instead of throwing. */
export function parseJson<T = unknown> (text: string): JsonParse<T> {
  try {
    return { ok: true, value: JSON.parse(text) as T }
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) }
  }
}

export const pretty = (v: unknown): string => JSON.stringify(v, null, 2)

/** A date-time from the API in the browser's locale, or a dash. */
export function when (iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString()
}

// Text-box values ↔ JSON values (rules, state machines, workflows).

/** Parses a JSON text box: undefined when empty, an Error with the parser's message when malformed. */
export function parseJsonText (text: string, what: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new Error(`${what}: ${err instanceof Error ? err.message : 'invalid JSON'}`)
  }
}

/** A value typed in a text box: JSON when it parses (numbers, booleans, null, lists), else the text itself. */
export function looseValue (text: string): unknown {
  const t = text.trim()
  if (t === '') return ''
  try {
    return JSON.parse(t) as unknown
  } catch {
    return text
  }
}

/** The text box form of a value: strings as they are, anything else as JSON. */
export function valueText (value: unknown): string {
  if (value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}
