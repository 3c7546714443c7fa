import type { AppContext } from '../apps/context.js'
import type { EngineWiring } from '../engine/modules.js'
import { didYouMean } from '../errors.js'
import type { Registry } from '../metadata/registry.js'
import { Problems } from '../rules/problems.js'
import { ajvErrorsToDetails } from '../schema/ajv.js'
import { SHAPE_ONLY, type UrlPolicy } from '../webhooks/ssrf.js'
import { compileSteps } from './compile-steps.js'
import type { WorkflowRuntime } from './runtime.js'
import type { CompiledWorkflow, CompiledWorkflows, WorkflowDef } from './types.js'
import { parseWorkflowBody } from './validate.js'

/** Module name; also the key of the compiled workflows in `registry.extensions`. */
export const WORKFLOWS = 'workflows'

/** The compiled workflows of a registry version (undefined before the module loaded). */
export function workflowsOf (registry: Registry): CompiledWorkflows | undefined {
  return registry.extensions.get(WORKFLOWS) as CompiledWorkflows | undefined
}

function compileTrigger (def: WorkflowDef, registry: Registry, problems: Problems): CompiledWorkflow['trigger'] | null {
  const { entity: name, field: fieldName, to } = def.trigger
  const entity = registry.entities.get(name)
  if (entity === undefined) {
    problems.add('trigger.entity', 'exists', `unknown entity '${name}'${didYouMean(name, registry.entities.keys())}`)
    return null
  }
  const field = entity.fields.get(fieldName)
  if (field === undefined) {
    problems.add('trigger.field', 'exists', `${entity.name} has no field '${fieldName}'${didYouMean(fieldName, entity.fields.keys())}`)
    return null
  }
  // The value must be one the field can hold (its type and enum), or the trigger could never fire.
  if (!entity.validateUpdate({ [field.name]: to })) {
    for (const d of ajvErrorsToDetails(entity.validateUpdate.errors)) problems.add('trigger.to', d.rule ?? 'type', d.message)
    return null
  }
  return { entity: entity.name, field, to }
}

/**
 * Checks a workflow against the metadata and compiles it: the trigger's entity and field exist
 * and `to` is a value of the field; context and condition expressions parse (problems carry
 * their position); steps are valid (see `compileSteps`). Null when there were problems.
 * `urlPolicy` is where `webhook` actions may deliver (saving); loading checks the shape only.
 */
export function compileWorkflow (def: WorkflowDef & { id: string }, registry: Registry, opts: { problems: Problems, urlPolicy?: UrlPolicy }): CompiledWorkflow | null {
  const { problems } = opts
  const trigger = compileTrigger(def, registry, problems)
  const context: CompiledWorkflow['context'] = []
  for (const [key, source] of Object.entries(def.context)) {
    const expression = problems.expression(`context.${key}`, source)
    if (expression !== null) context.push({ key, expression })
  }
  const steps = compileSteps(def.steps, { registry, triggerEntity: def.trigger.entity, problems, urlPolicy: opts.urlPolicy ?? SHAPE_ONLY })
  const first = steps.keys().next().value
  if (trigger === null || problems.any || first === undefined) return null
  return { id: def.id, name: def.name, active: def.active, trigger, context, steps, first }
}

/**
 * Compiles every stored workflow of an app for one registry version. Inactive ones are kept
 * (their running instances finish) but not indexed as triggers; ones that no longer fit the
 * metadata are skipped and listed.
 */
export function compileWorkflows (ctx: { app: AppContext, runtime: WorkflowRuntime, registry: Registry, engine: EngineWiring }, rows: ReadonlyArray<WorkflowDef & { id: string }>): CompiledWorkflows {
  const byId = new Map<string, CompiledWorkflow>()
  const byEntity = new Map<string, CompiledWorkflow[]>()
  const skipped: CompiledWorkflows['skipped'] = []
  for (const row of rows) {
    const problems = new Problems()
    // Rows are re-checked whole: the table may hold rows written by hand or by an older version.
    const def = parseWorkflowBody(row, problems)
    const wf = def === null ? null : compileWorkflow({ ...def, id: row.id }, ctx.registry, { problems })
    if (wf === null) {
      skipped.push({ id: row.id, message: problems.details.map((p) => `${p.field ?? ''}: ${p.message}`).join('; ') })
      continue
    }
    byId.set(wf.id, wf)
    if (!wf.active) continue
    const list = byEntity.get(wf.trigger.entity)
    if (list === undefined) byEntity.set(wf.trigger.entity, [wf])
    else list.push(wf)
  }
  return { app: ctx.app, runtime: ctx.runtime, engine: ctx.engine, byId, byEntity, skipped }
}
