import { isAdmin } from '../apps/context.js'
import { forbidden, validationFailed, type ApiError } from '../errors.js'
import { ExpressionBudgetError } from '../expressions/index.js'
import { detailAt, recordOf, scopeOf } from '../rules/scope.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import { machinesOf } from './compile.js'
import { setFieldValue } from './evaluate-write-actions.js'
import type { CompiledMachine, CompiledTransition } from './types.js'

/** A transition taken by one record of a unit; its remaining actions run in afterRow / afterCommit. */
export interface TakenTransition {
  node: WriteNode
  machine: CompiledMachine
  transition: CompiledTransition
  from: string
}

const PENDING = 'state_machines'

/** The transitions taken so far in this unit that still have actions to run. */
export function takenTransitions (unit: WriteUnit): readonly TakenTransition[] {
  return (unit.state.get(PENDING) as TakenTransition[] | undefined) ?? NONE_TAKEN
}

/** No transition taken in the unit (asked per written record: no array made each time). */
const NONE_TAKEN: readonly TakenTransition[] = Object.freeze([])

function remember (unit: WriteUnit, taken: TakenTransition): void {
  const list = unit.state.get(PENDING) as TakenTransition[] | undefined
  if (list === undefined) unit.state.set(PENDING, [taken])
  else list.push(taken)
}

function refused (node: WriteNode, m: CompiledMachine, message: string, rule: string): ApiError {
  return validationFailed(message, [detailAt(node, { field: m.field.name, rule, message })])
}

function allowedFrom (m: CompiledMachine, from: string): string {
  const targets = [...(m.transitions.get(from)?.keys() ?? [])]
  return targets.length === 0 ? `no transition leaves '${from}'` : `allowed from '${from}': ${targets.join(', ')}`
}

/**
 * Which transition this write makes, if any. On create an absent value becomes `initial`, and a
 * different one must be reachable by a transition from `initial`. On update only a changed
 * value counts; a row without a state yet (created before the machine) counts as `initial`.
 * A workflow step (`unit.actor` 'workflow') may also make a change no transition defines: the
 * workflow is the process deciding the state (its approval steps are the authorization).
 */
function transitionOf (m: CompiledMachine, node: WriteNode, unit: WriteUnit): { transition: CompiledTransition, from: string } | null {
  const name = m.field.name
  const values = node.values
  if (node.action === 'create' && (values[name] === undefined || values[name] === null)) {
    values[name] = m.initial
    return null
  }
  if (!Object.hasOwn(values, name)) return null
  const to = values[name]
  const current = node.action === 'create' ? null : node.old?.[name]
  const from = current === null || current === undefined ? m.initial : String(current)
  if (to === from) return null
  const transition = typeof to === 'string' ? m.transitions.get(from)?.get(to) : undefined
  if (transition !== undefined) return { transition, from }
  if (unit.actor?.name === 'workflow') return null
  const message = node.action === 'create'
    ? `Invalid initial ${name} '${String(to)}': a new ${node.entity.name} starts as '${m.initial}' (${allowedFrom(m, from)})`
    : `Invalid ${name} transition from '${from}' to '${String(to)}' (${allowedFrom(m, from)})`
  throw refused(node, m, message, 'transition')
}

/** Roles (403 unless the user holds one; admins and engine work without a user pass), then the guard (422 unless true). */
function authorize (t: TakenTransition, unit: WriteUnit): void {
  const { node, machine: m, transition, from } = t
  const what = `${m.field.name} transition from '${from}' to '${transition.to}'`
  const user = unit.user
  if (transition.roles !== null && user !== null && !isAdmin(user) && !transition.roles.some((r) => user.roles.includes(r))) {
    const message = `The ${what} requires one of the roles: ${transition.roles.join(', ')}`
    throw forbidden(message, [detailAt(node, { field: m.field.name, rule: 'role', message })])
  }
  if (transition.guard === null) return
  let passed: boolean
  try {
    passed = Boolean(transition.guard.evaluate(scopeOf(node, unit, { record: recordOf(node) })))
  } catch (err) {
    if (!(err instanceof ExpressionBudgetError)) throw err
    passed = false
  }
  if (!passed) throw refused(node, m, `The ${what} is not allowed: its guard (${transition.guard.source}) is false`, 'guard')
}

/** `set_field` actions change the record before it is written. */
function setFields (t: TakenTransition, unit: WriteUnit): void {
  for (const a of t.transition.actions) {
    if (a.type !== 'set_field') continue
    t.node.values[a.field.name] = setFieldValue(a, unit.now)
  }
}

/** The module's `needsOld`: an update writing one of the entity's state fields moves from the current state. */
export function machinesNeedOld (node: WriteNode, unit: WriteUnit): boolean {
  const machines = machinesOf(unit.registry)?.byEntity.get(node.entity.name)
  return machines !== undefined && machines.some((m) => Object.hasOwn(node.values, m.field.name))
}

/**
 * The state-machine module's `beforeWrite` (after the rules): decides each machine's
 * transition for the record, checks roles and guard, applies `set_field`, and remembers the
 * transition for the actions that run once the row is written (create_record) or committed
 * (webhook, send_event).
 */
export function applyStateMachines (node: WriteNode, unit: WriteUnit): void {
  if (node.action === 'delete') return
  const machines = machinesOf(unit.registry)?.byEntity.get(node.entity.name)
  if (machines === undefined) return
  for (const machine of machines) {
    const found = transitionOf(machine, node, unit)
    if (found === null) continue
    const taken: TakenTransition = { node, machine, ...found }
    authorize(taken, unit)
    setFields(taken, unit)
    if (taken.transition.actions.some((a) => a.type !== 'set_field')) remember(unit, taken)
  }
}
