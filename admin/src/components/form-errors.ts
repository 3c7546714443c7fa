import { ApiError } from '../api/client.js'
import type { ErrorDetail } from '../api/types.js'

/** The details of an API error (none for anything else). */
export function detailsOf (err: unknown): ErrorDetail[] {
  return err instanceof ApiError ? err.details : []
}

/**
 * The message of the first detail naming `path` exactly (`definition.transitions[1].guard`), or
 * under it when `nested` (so a step card can show `steps[2].assignee.role` too).
 */
export function messageAt (err: unknown, path: string, nested = false): string | undefined {
  const hit = detailsOf(err).find((d) => d.field === path || (nested && d.field?.startsWith(`${path}.`) === true) || (nested && d.field?.startsWith(`${path}[`) === true))
  return hit?.message
}

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
