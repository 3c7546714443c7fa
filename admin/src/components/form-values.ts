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
