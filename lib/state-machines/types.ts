import type { AppContext } from '../apps/context.js'
import type { CompiledExpression } from '../expressions/index.js'
import type { CompiledField } from '../metadata/compiled.js'
import type { ActionHandlers } from './side-effects.js'

export const ACTION_TYPES = ['set_field', 'create_record', 'webhook', 'send_event'] as const
export type ActionType = typeof ACTION_TYPES[number]

/** One transition as stored (docs/reference.md, "State machines"). */
export interface TransitionDef {
  from: string | string[]
  to: string
  roles?: string[]
  guard?: string
  actions?: Array<Record<string, unknown>>
}

export interface MachineDefinition {
  initial: string
  transitions: TransitionDef[]
}

/** A state machine as sent through the admin API and stored in `_state_machines`. */
export interface MachineDef {
  entity: string
  field: string
  definition: MachineDefinition
  active: boolean
}

export interface MachineRow extends MachineDef {
  id: string
  created_at: Date
  updated_at: Date
}

/** `set_field`: the literal value, or the unit's timestamp when the definition says `"now"`. */
export interface SetFieldAction {
  type: 'set_field'
  field: CompiledField
  value: unknown
  now: boolean
}

/** `create_record`: each data value is an expression (or a JSON literal that is not a string). */
export interface CreateRecordAction {
  type: 'create_record'
  entity: string
  data: Array<{ field: string, value: CompiledExpression | { literal: unknown } }>
}

/** `webhook` and `send_event`: dispatched after commit, with their definition, to the handler of their type. */
export interface AfterCommitAction {
  type: 'webhook' | 'send_event'
  definition: Readonly<Record<string, unknown>>
}

export type CompiledAction = SetFieldAction | CreateRecordAction | AfterCommitAction

export interface CompiledTransition {
  from: string[]
  to: string
  /** Null when anyone may take the transition. */
  roles: string[] | null
  guard: CompiledExpression | null
  actions: CompiledAction[]
}

export interface CompiledMachine {
  id: string
  entity: string
  field: CompiledField
  initial: string
  /** from → to → transition. */
  transitions: Map<string, Map<string, CompiledTransition>>
}

/** What the state-machine module stores in `registry.extensions` per metadata version. */
export interface CompiledMachines {
  /** The app, handed to after-commit action handlers. */
  app: AppContext
  /** The engine's handlers the committed `webhook` / `send_event` actions go to. */
  actions: ActionHandlers
  byEntity: Map<string, CompiledMachine[]>
  /** Active machines that no longer fit the metadata: not enforced. */
  skipped: Array<{ id: string, message: string }>
}
