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
