import type { AppContext } from '../apps/context.js'
import type { ExpressionScope } from '../expressions/index.js'

/**
 * An action of a state-machine transition that runs after the write committed (`webhook`,
 * `send_event`, or any type an engine module handles: `EngineModule.actions`). Never created for a unit
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
  /** What the action's expressions (`send_event` data) are evaluated over. */
  scope?: ExpressionScope
  /** The trace the action belongs to (a workflow instance's), when there is one. */
  traceId?: string
}

export type ActionHandler = (effect: SideEffect) => Promise<void> | void

/** An engine's after-commit action handlers by type (`Engine.actions`: each module's `actions`, collected once). */
export type ActionHandlers = ReadonlyMap<string, ActionHandler>

/** An effect no module handles is an engine fault (reported through `onHookError`). */
function unhandled (effect: SideEffect): never {
  throw new Error(`no handler for '${effect.type}' actions (is its engine module missing?)`)
}

/**
 * Hands committed effects to the engine's handlers in order. A failing handler does not stop
 * the others; the failures are thrown together afterwards (the write path reports them through
 * `onHookError`, never to the client whose data is already committed).
 */
export async function dispatchSideEffects (handlers: ActionHandlers, effects: readonly SideEffect[]): Promise<void> {
  const errors: unknown[] = []
  for (const effect of effects) {
    try {
      await (handlers.get(effect.type) ?? unhandled)(effect)
    } catch (err) {
      errors.push(err)
    }
  }
  if (errors.length === 1) throw errors[0]
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} state-machine actions failed after commit`)
}
