import type { AppContext } from '../apps/context.js'

/**
 * An action of a state-machine transition that runs after the write committed (`webhook`,
 * `send_event`, or any type a later module registers a handler for). Never created for a unit
 * that rolled back.
 */
export interface SideEffect {
  /** The action type, e.g. `webhook`. */
  type: string
  /** The action as defined in the machine (handler-specific keys such as `url` or `event`). */
  action: Readonly<Record<string, unknown>>
  app: AppContext
  entity: string
  field: string
  from: string
  to: string
  /** The record as written (RETURNING). */
  record: Record<string, unknown>
  user: { id: string, email: string, roles: string[] } | null
  /** ISO timestamp of the unit of work. */
  at: string
}

export type ActionHandler = (effect: SideEffect) => Promise<void> | void

const handlers = new Map<string, ActionHandler>()
const recorded: SideEffect[] = []
/** The default handler keeps the latest effects only: a process without consumers must not grow without bound. */
const MAX_RECORDED = 1000

/** What happens to an effect nobody registered a handler for: it is kept for inspection. */
function recordEffect (effect: SideEffect): void {
  recorded.push(effect)
  if (recorded.length > MAX_RECORDED) recorded.splice(0, recorded.length - MAX_RECORDED)
}

/**
 * The extension point for after-commit actions: the webhook module registers `webhook`, the
 * event/workflow modules `send_event`. Replaces the current handler of that type and returns a
 * function restoring the previous one. Until a type has a handler, its effects are recorded
 * (see `recordedSideEffects`).
 */
export function registerActionHandler (type: string, handler: ActionHandler): () => void {
  const previous = handlers.get(type)
  handlers.set(type, handler)
  return () => {
    if (previous === undefined) handlers.delete(type)
    else handlers.set(type, previous)
  }
}

/** Effects taken by the default handler, oldest first (at most the latest 1000). */
export function recordedSideEffects (): readonly SideEffect[] {
  return recorded
}

/**
 * Hands committed effects to their handlers in order. A failing handler does not stop the
 * others; the failures are thrown together afterwards (the write path reports them through
 * `onHookError`, never to the client whose data is already committed).
 */
export async function dispatchSideEffects (effects: readonly SideEffect[]): Promise<void> {
  const errors: unknown[] = []
  for (const effect of effects) {
    try {
      await (handlers.get(effect.type) ?? recordEffect)(effect)
    } catch (err) {
      errors.push(err)
    }
  }
  if (errors.length === 1) throw errors[0]
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} state-machine actions failed after commit`)
}
