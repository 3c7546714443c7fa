import { notFound, type ApiError } from '../errors.js'
import { UUID_RE } from '../fields/spec.js'

/*
 * System rows the API addresses by a uuid id (rules, state machines, webhooks, workflows,
 * permissions, UI configs, users, invites, delivery logs). An id that is not a uuid cannot name
 * one, so it answers 404 like an unknown id rather than a database error.
 */

/** 404 NOT_FOUND naming the kind and the id as given (cut to 100 characters). */
export function notFoundById (kind: string, id: string): ApiError {
  return notFound(`${kind} '${id.slice(0, 100)}' not found`)
}

/** The row `find` returns for a uuid `id`; 404 when the id is not a uuid or `find` has none. */
export async function requireById<R> (kind: string, id: string, find: (id: string) => Promise<R | null | undefined>): Promise<R> {
  const row = UUID_RE.test(id) ? await find(id) : undefined
  if (row === null || row === undefined) throw notFoundById(kind, id)
  return row
}

/** Runs `remove` for a uuid `id`; 404 when the id is not a uuid or `remove` deleted nothing. */
export async function requireDeleted (kind: string, id: string, remove: (id: string) => Promise<boolean>): Promise<void> {
  if (!UUID_RE.test(id) || !(await remove(id))) throw notFoundById(kind, id)
}
