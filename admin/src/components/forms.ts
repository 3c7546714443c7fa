import { createSignal, type Accessor } from 'solid-js'
import { ApiError } from '../api/client.js'

/**
 * The message of the first error detail naming `field`, or one of its sub-paths
 * (`retry` matches `retry.max_attempts`), for showing a 422 next to its input.
 */
export function detailFor (error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined
  const d = error.details.find((x) => x.field === field) ??
    error.details.find((x) => x.field !== undefined && (x.field.startsWith(`${field}.`) || x.field.startsWith(`${field}[`)))
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

/** A form's submit state: busy flag and the last error (an ApiError's details feed `detailFor`). */
export function createSubmit (): { busy: Accessor<boolean>, error: Accessor<unknown>, setError: (e: unknown) => void, run: (fn: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<unknown>(null)
  const run = async (fn: () => Promise<void>): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      await fn()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, setError, run }
}

/** A date-time from the API in the browser's locale, or a dash. */
export function when (iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString()
}
