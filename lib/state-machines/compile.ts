import type { AppContext } from '../apps/context.js'
import { didYouMean } from '../errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { checkKeys, isObject, Problems } from '../rules/problems.js'
import { SHAPE_ONLY, type UrlPolicy } from '../webhooks/ssrf.js'
import { compileActions } from './compile-actions.js'
import { parseMachineBody } from './validate.js'
import type { CompiledMachine, CompiledMachines, CompiledTransition, MachineDef } from './types.js'
import type { ActionHandlers } from './side-effects.js'

/** Module name; also the key of the compiled machines in `registry.extensions`. */
export const STATE_MACHINES = 'state_machines'

/** The compiled machines of a registry version (undefined before the module loaded). */
export function machinesOf (registry: Registry): CompiledMachines | undefined {
  return registry.extensions.get(STATE_MACHINES) as CompiledMachines | undefined
}

const MAX_TRANSITIONS = 1000

interface MachineContext {
  registry: Registry
  entity: CompiledEntity
  field: CompiledField
  problems: Problems
  urlPolicy: UrlPolicy
}

function stateField (entity: CompiledEntity, name: string, problems: Problems): CompiledField | null {
  const field = entity.fields.get(name)
  if (field === undefined) {
    problems.add('field', 'exists', `${entity.name} has no field '${name}'${didYouMean(name, entity.fields.keys())}`)
    return null
  }
  if (!field.spec.textual || !field.writable || field.isPk) {
    problems.add('field', 'type', `${field.name} cannot hold a state: it must be a writable string or text field`)
    return null
  }
  return field
}

/** A state name, which must also be one of the field's enum values when it has an enum. */
function stateName (value: unknown, at: string, ctx: MachineContext): string | null {
  if (typeof value !== 'string' || value === '') {
    ctx.problems.add(at, 'type', `${at} must be a non-empty state name`)
    return null
  }
  const allowed = ctx.field.def.enum
  if (Array.isArray(allowed) && !allowed.includes(value)) {
    ctx.problems.add(at, 'enum', `'${value}' is not a value of ${ctx.field.name} (${allowed.join(', ')})`)
    return null
  }
  return value
}

function roleList (raw: unknown, at: string, problems: Problems): string[] | null {
  if (raw === undefined || raw === null) return null
  if (!Array.isArray(raw) || raw.some((r) => typeof r !== 'string' || r === '')) {
    problems.add(at, 'type', `${at} must be a list of role names`)
    return null
  }
  // An empty list restricts nothing, like an absent one.
  return raw.length === 0 ? null : raw as string[]
}

function compileTransition (raw: unknown, at: string, ctx: MachineContext): CompiledTransition | null {
  const { problems } = ctx
  if (!isObject(raw)) {
    problems.add(at, 'type', `${at} must be an object {from, to, roles?, guard?, actions?}`)
    return null
  }
  checkKeys(problems, at, raw, ['from', 'to', 'roles', 'guard', 'actions'])
  const fromList = Array.isArray(raw.from) ? raw.from as unknown[] : [raw.from]
  if (fromList.length === 0) problems.add(`${at}.from`, 'type', `${at}.from must name at least one state`)
  const from = fromList.map((f, i) => stateName(f, Array.isArray(raw.from) ? `${at}.from[${i}]` : `${at}.from`, ctx))
  const to = stateName(raw.to, `${at}.to`, ctx)
  const roles = roleList(raw.roles, `${at}.roles`, problems)
  const guard = raw.guard === undefined || raw.guard === null ? null : problems.expression(`${at}.guard`, raw.guard)
  const actions = compileActions(raw.actions, `${at}.actions`, { registry: ctx.registry, entity: ctx.entity, stateField: ctx.field.name, problems, urlPolicy: ctx.urlPolicy })
  if (to === null || from.some((f) => f === null)) return null
  if (from.includes(to)) problems.add(`${at}.to`, 'transition', `a transition from '${to}' to itself never happens`)
  return { from: from as string[], to, roles, guard, actions }
}

/** Indexes transitions by from and to; two transitions for the same change are ambiguous. */
function indexTransitions (list: CompiledTransition[], problems: Problems): CompiledMachine['transitions'] {
  const out: CompiledMachine['transitions'] = new Map()
  list.forEach((t, i) => {
    for (const from of t.from) {
      let targets = out.get(from)
      if (targets === undefined) { targets = new Map(); out.set(from, targets) }
      if (targets.has(t.to)) problems.add(`definition.transitions[${i}]`, 'unique', `a transition from '${from}' to '${t.to}' is defined twice`)
      else targets.set(t.to, t)
    }
  })
  return out
}

/**
 * Checks a state machine against the metadata and compiles it: the entity exists, the field is
 * a writable string/text field, state names fit its enum, guards and create_record expressions
 * parse (problems carry their position), actions name existing fields and entities, and no
 * transition is defined twice. Null when there were problems.
 */
export function compileMachine (def: MachineDef & { id: string }, registry: Registry, problems: Problems, urlPolicy: UrlPolicy = SHAPE_ONLY): CompiledMachine | null {
  const entity = registry.entities.get(def.entity)
  if (entity === undefined) {
    problems.add('entity', 'exists', `unknown entity '${def.entity}'${didYouMean(def.entity, registry.entities.keys())}`)
    return null
  }
  const field = stateField(entity, def.field, problems)
  const d = def.definition as unknown
  if (!isObject(d)) {
    problems.add('definition', 'type', 'definition must be an object {initial, transitions}')
    return null
  }
  checkKeys(problems, 'definition', d, ['initial', 'transitions'])
  if (!Array.isArray(d.transitions) || d.transitions.length > MAX_TRANSITIONS) {
    problems.add('definition.transitions', 'type', `definition.transitions must be a list of at most ${MAX_TRANSITIONS} transitions`)
  }
  if (field === null) return null
  const ctx: MachineContext = { registry, entity, field, problems, urlPolicy }
  const initial = stateName(d.initial, 'definition.initial', ctx)
  const raw: unknown[] = Array.isArray(d.transitions) ? d.transitions : []
  const list = raw.map((t, i) => compileTransition(t, `definition.transitions[${i}]`, ctx))
  const transitions = indexTransitions(list.filter((t): t is CompiledTransition => t !== null), problems)
  if (initial === null || problems.any) return null
  return { id: def.id, entity: entity.name, field, initial, transitions }
}

/**
 * Compiles the active machines of an app for one registry version; ones that no longer fit the
 * metadata are skipped and listed. `actions` are the engine's handlers of after-commit actions.
 */
export function compileMachines (ctx: { app: AppContext, registry: Registry, actions: ActionHandlers }, rows: ReadonlyArray<MachineDef & { id: string }>): CompiledMachines {
  const { registry } = ctx
  const byEntity = new Map<string, CompiledMachine[]>()
  const skipped: CompiledMachines['skipped'] = []
  for (const row of rows) {
    const problems = new Problems()
    // Rows are re-checked whole: the table may hold rows written by hand or by an older version.
    const def = parseMachineBody(row, problems)
    const machine = def === null ? null : compileMachine({ ...def, id: row.id }, registry, problems)
    if (machine === null) {
      skipped.push({ id: row.id, message: problems.details.map((p) => p.message).join('; ') })
      continue
    }
    const list = byEntity.get(machine.entity)
    if (list === undefined) byEntity.set(machine.entity, [machine])
    else list.push(machine)
  }
  return { app: ctx.app, actions: ctx.actions, byEntity, skipped }
}
