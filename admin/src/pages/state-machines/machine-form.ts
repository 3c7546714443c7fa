import type { MachineBody, MachineRow, TransitionDef } from '../../api/logic.js'
import { actionDraftOf, actionOf, type ActionDraft } from '../../components/logic/action-form.js'

export interface TransitionDraft {
  /** Comma-separated: one state, or several (sent as a list). */
  from: string
  to: string
  /** Comma-separated role names; empty means anyone. */
  roles: string
  guard: string
  actions: ActionDraft[]
}

export interface MachineDraft {
  entity: string
  field: string
  initial: string
  active: boolean
  transitions: TransitionDraft[]
}

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s !== '')

export function emptyTransition (): TransitionDraft {
  return { from: '', to: '', roles: '', guard: '', actions: [] }
}

export function machineDraftOf (m: MachineRow | null): MachineDraft {
  return {
    entity: m?.entity ?? '',
    field: m?.field ?? '',
    initial: m?.definition.initial ?? '',
    active: m?.active ?? true,
    transitions: (m?.definition.transitions ?? []).map((t) => ({
      from: Array.isArray(t.from) ? t.from.join(', ') : t.from,
      to: t.to,
      roles: (t.roles ?? []).join(', '),
      guard: t.guard ?? '',
      actions: (t.actions ?? []).map(actionDraftOf)
    }))
  }
}

/** A transition as the API takes it: `from` a string unless several states are named. */
export function transitionOf (t: TransitionDraft, i: number): TransitionDef {
  const from = list(t.from)
  const out: TransitionDef = { from: from.length === 1 ? from[0] ?? '' : from, to: t.to.trim() }
  const roles = list(t.roles)
  if (roles.length > 0) out.roles = roles
  if (t.guard.trim() !== '') out.guard = t.guard.trim()
  if (t.actions.length > 0) out.actions = t.actions.map((a, j) => actionOf(a, `transitions[${i}].actions[${j}]`, false))
  return out
}

export function machineBodyOf (d: MachineDraft): MachineBody {
  return {
    entity: d.entity,
    field: d.field,
    definition: { initial: d.initial.trim(), transitions: d.transitions.map(transitionOf) },
    active: d.active
  }
}

/**
 * The transitions the diagram can draw while the form is being edited: malformed actions are
 * left out rather than thrown, so a half-typed JSON box does not blank the diagram.
 */
export function diagramTransitions (d: MachineDraft): TransitionDef[] {
  return d.transitions.map((t, i) => {
    try {
      return transitionOf(t, i)
    } catch {
      return transitionOf({ ...t, actions: [] }, i)
    }
  })
}
