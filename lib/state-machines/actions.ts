import type { AppContext } from '../apps/context.js'
import { recordOf, scopeOf } from '../rules/scope.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import { machinesOf } from './compile.js'
import { createRecordBody } from './evaluate-write-actions.js'
import { dispatchSideEffects, type SideEffect } from './side-effects.js'
import { takenTransitions, type TakenTransition } from './transition.js'

/** The module's `needsAfterRow`: only records whose transition creates records need the row hook. */
export function createsRecords (node: WriteNode, unit: WriteUnit): boolean {
  const taken = takenTransitions(unit)
  // Asked per written record (a bulk create asks 1,000 times): no closure made when no transition was taken.
  if (taken.length === 0) return false
  return taken.some((t) => t.node === node && t.transition.actions.some((a) => a.type === 'create_record'))
}

/**
 * The module's `afterRow`: once a record that took a transition is written, its
 * `create_record` actions insert into their entity inside the same transaction, through the
 * whole write path (type validation, that entity's rules and state machines). Data
 * expressions see the written row as `record` (so `record.id` is known on create). The record
 * is created as engine work: the admin defined the action, so the caller's permission policies
 * do not apply to it. Any failure rolls the whole unit back.
 */
export async function runRowActions (node: WriteNode, unit: WriteUnit): Promise<void> {
  const taken = takenTransitions(unit).filter((t) => t.node === node)
  for (const t of taken) {
    for (const a of t.transition.actions) {
      if (a.type !== 'create_record') continue
      const entity = unit.registry.entities.get(a.entity)
      if (entity === undefined) throw new Error(`create_record: entity ${a.entity} vanished from a compiled registry`)
      const scope = scopeOf(node, unit, { record: { ...recordOf(node), ...node.row } })
      const body = createRecordBody(a, scope, (field, err) => `create_record into ${a.entity}: ${field} could not be evaluated (${err.message})`)
      await unit.createRecord(entity, body, { user: null })
    }
  }
}

function effectsOf (t: TakenTransition, unit: WriteUnit, app: AppContext): SideEffect[] {
  const row = t.node.row
  if (row === undefined) return []
  const u = unit.user
  const out: SideEffect[] = []
  for (const a of t.transition.actions) {
    if (a.type !== 'webhook' && a.type !== 'send_event') continue
    out.push({
      type: a.type,
      action: a.definition,
      app,
      entity: t.machine.entity,
      field: t.machine.field.name,
      from: t.from,
      to: t.transition.to,
      record: row,
      user: u === null ? null : { id: u.id, email: u.email, roles: u.roles },
      at: unit.now.toISOString(),
      scope: scopeOf(t.node, unit, { record: { ...recordOf(t.node), ...row } })
    })
  }
  return out
}

/** The module's `afterCommit`: hands the committed transitions' webhook / send_event actions to the engine's handlers. */
export async function runCommitActions (_nodes: WriteNode[], unit: WriteUnit): Promise<void> {
  const taken = takenTransitions(unit)
  const machines = taken.length === 0 ? undefined : machinesOf(unit.registry)
  if (machines === undefined) return
  const effects = taken.flatMap((t) => effectsOf(t, unit, machines.app))
  if (effects.length > 0) await dispatchSideEffects(machines.actions, effects)
}
