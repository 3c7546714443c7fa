import { didYouMean } from '../errors.js'
import { UUID_RE } from '../fields/spec.js'
import type { Registry } from '../metadata/registry.js'
import { checkKeys, isObject, type Problems } from '../rules/problems.js'
import { compileCreateRecord, compileSetFieldValue } from '../state-machines/compile-write-actions.js'
import { isAttemptCount, MAX_ATTEMPTS, urlProblem } from '../webhooks/settings.js'
import { WEBHOOK_METHODS, type WebhookMethod } from '../webhooks/types.js'
import { WORKFLOW_ACTION_TYPES, type SetFieldAction, type WorkflowAction } from './types.js'

/** What compiling an action needs to know. */
export interface ActionContext {
  registry: Registry
  /** The trigger's entity: the default `entity` of `set_field`. */
  triggerEntity: string
  problems: Problems
  /** Webhook host allow-list checked when saving (empty: any host; loading checks shape only). */
  allowedHosts: readonly string[]
}

function entityAt (name: unknown, at: string, ctx: ActionContext): ReturnType<Registry['entities']['get']> {
  const entity = typeof name === 'string' ? ctx.registry.entities.get(name) : undefined
  if (entity === undefined) {
    const hint = typeof name === 'string' ? didYouMean(name, ctx.registry.entities.keys()) : ''
    ctx.problems.add(at, 'exists', `unknown entity '${String(name)}'${hint}`)
  }
  return entity
}

/** `{type: set_field, entity?, record_id?, field, value}`: entity defaults to the trigger's, record_id to `trigger.record_id`. */
function compileSetField (a: Record<string, unknown>, at: string, ctx: ActionContext): SetFieldAction | null {
  const { problems } = ctx
  checkKeys(problems, at, a, ['type', 'entity', 'record_id', 'field', 'value'])
  const entity = entityAt(a.entity ?? ctx.triggerEntity, `${at}.entity`, ctx)
  const recordId = problems.expression(`${at}.record_id`, a.record_id ?? 'trigger.record_id')
  if (entity === undefined) return null
  const field = typeof a.field === 'string' ? entity.fields.get(a.field) : undefined
  if (field === undefined) {
    const hint = typeof a.field === 'string' ? didYouMean(a.field, entity.fields.keys()) : ''
    problems.add(`${at}.field`, 'exists', `${entity.name} has no field '${String(a.field)}'${hint}`)
    return null
  }
  if (!field.writable || field.isPk) {
    problems.add(`${at}.field`, 'writable', `set_field cannot write ${field.name} (primary key or auto field)`)
    return null
  }
  if (!Object.hasOwn(a, 'value')) {
    problems.add(`${at}.value`, 'required', 'set_field needs a value ("now" for the current time)')
    return null
  }
  if (recordId === null) return null
  const value = compileSetFieldValue({ entity, field, value: a.value, at: `${at}.value`, problems })
  return value === null ? null : { type: 'set_field', entity: entity.name, recordId, field, ...value }
}

/** `{type: webhook, url, method?, headers?, max_attempts?}` or `{type: webhook, webhook_id}`. */
function checkWebhook (a: Record<string, unknown>, at: string, ctx: ActionContext): void {
  const { problems } = ctx
  checkKeys(problems, at, a, ['type', 'url', 'method', 'headers', 'max_attempts', 'webhook_id'])
  if (a.webhook_id !== undefined) {
    if (typeof a.webhook_id !== 'string' || !UUID_RE.test(a.webhook_id)) problems.add(`${at}.webhook_id`, 'type', 'webhook_id must be the id of a webhook')
    return
  }
  const problem = typeof a.url === 'string' ? urlProblem(a.url, ctx.allowedHosts) : 'url must be an absolute http(s) URL'
  if (problem !== null) problems.add(`${at}.url`, 'url', problem)
  if (a.method !== undefined && (typeof a.method !== 'string' || !WEBHOOK_METHODS.includes(a.method.toUpperCase() as WebhookMethod))) {
    problems.add(`${at}.method`, 'enum', `method must be one of: ${WEBHOOK_METHODS.join(', ')}`)
  }
  if (a.headers !== undefined && (!isObject(a.headers) || Object.values(a.headers).some((v) => typeof v !== 'string'))) {
    problems.add(`${at}.headers`, 'type', 'headers must be an object of strings')
  }
  if (a.max_attempts !== undefined && !isAttemptCount(a.max_attempts)) {
    problems.add(`${at}.max_attempts`, 'range', `max_attempts must be an integer from 1 to ${MAX_ATTEMPTS}`)
  }
}

function compileAction (a: Record<string, unknown>, at: string, ctx: ActionContext): WorkflowAction | null {
  switch (a.type) {
    case 'set_field': return compileSetField(a, at, ctx)
    case 'create_record': return compileCreateRecord(a, at, ctx)
    case 'webhook':
      checkWebhook(a, at, ctx)
      return { type: 'webhook', definition: Object.freeze({ ...a }) }
    default:
      checkKeys(ctx.problems, at, a, ['type', 'event', 'data'])
      if (typeof a.event !== 'string' || a.event === '') ctx.problems.add(`${at}.event`, 'required', 'send_event needs an event name')
      return { type: 'send_event', definition: Object.freeze({ ...a }) }
  }
}

/**
 * Compiles the `actions` of an action step: `set_field` (any entity and record: the record id is
 * an expression), `create_record`, `webhook`, `send_event`. Problems are recorded with their path.
 */
export function compileWorkflowActions (raw: unknown, at: string, ctx: ActionContext): WorkflowAction[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    ctx.problems.add(at, 'type', `${at} must be a non-empty list of actions`)
    return []
  }
  const out: WorkflowAction[] = []
  raw.forEach((a: unknown, i) => {
    const here = `${at}[${i}]`
    if (!isObject(a) || !WORKFLOW_ACTION_TYPES.includes(a.type as typeof WORKFLOW_ACTION_TYPES[number])) {
      ctx.problems.add(`${here}.type`, 'enum', `action type must be one of: ${WORKFLOW_ACTION_TYPES.join(', ')}`)
      return
    }
    const compiled = compileAction(a, here, ctx)
    if (compiled !== null) out.push(compiled)
  })
  return out
}
