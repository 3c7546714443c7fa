import { UUID_RE } from '../fields/spec.js'
import { checkKeys, isObject, type Problems } from '../rules/problems.js'
import { compileWorkflowActions, type ActionContext } from './compile-actions.js'
import { parseDuration } from './duration.js'
import { END, STEP_TYPES, type ApprovalStep, type Assignee, type CompiledStep, type StepType } from './types.js'

const STEP_ID_RE = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/

/** A goto found in a step, checked once every step id is known. */
export interface GotoRef {
  at: string
  target: string
}

/** Per step: where its fallback `then` leads (the next step in the list, or end). */
interface StepSite {
  at: string
  next: string
  gotos: GotoRef[]
  ctx: ActionContext
}

/**
 * A goto: `{goto: "id"}`, `{goto: "end"}`, `"end"` (or a bare step id). `fallback` applies when
 * the key is absent (`then` of action and wait steps: the next step in the list).
 */
function gotoOf (raw: unknown, at: string, site: StepSite, fallback?: string): string {
  if (raw === undefined && fallback !== undefined) return fallback
  const target = typeof raw === 'string' ? raw : isObject(raw) && typeof raw.goto === 'string' ? raw.goto : null
  if (isObject(raw)) checkKeys(site.ctx.problems, at, raw, ['goto'])
  if (target === null || target === '') {
    site.ctx.problems.add(at, 'goto', `${at} must be {"goto": "<step id>"} or "end"`)
    return END
  }
  site.gotos.push({ at, target })
  return target
}

function durationOf (raw: unknown, at: string, problems: Problems): number | null {
  const ms = parseDuration(raw)
  if (ms === null) problems.add(at, 'duration', `${at} must be a duration such as 30m, 48h or 2d (at most a year)`)
  return ms
}

function assigneeOf (raw: unknown, at: string, problems: Problems): Assignee | null {
  if (isObject(raw) && raw.type === 'role') {
    checkKeys(problems, at, raw, ['type', 'role'])
    if (typeof raw.role === 'string' && raw.role !== '') return { type: 'role', role: raw.role }
  } else if (isObject(raw) && raw.type === 'user') {
    checkKeys(problems, at, raw, ['type', 'user_id'])
    if (typeof raw.user_id === 'string' && UUID_RE.test(raw.user_id)) return { type: 'user', user_id: raw.user_id.toLowerCase() }
  }
  problems.add(at, 'assignee', `${at} must be {"type": "role", "role": "<role>"} or {"type": "user", "user_id": "<uuid>"}`)
  return null
}

function approvalStep (id: string, raw: Record<string, unknown>, site: StepSite): ApprovalStep | null {
  const { at } = site
  const { problems } = site.ctx
  checkKeys(problems, at, raw, ['id', 'type', 'assignee', 'timeout', 'on_approve', 'on_reject', 'on_timeout'])
  // Without an assignee only admins decide (docs/ARCHITECTURE.md, Workflows).
  const assignee = raw.assignee === undefined || raw.assignee === null ? null : assigneeOf(raw.assignee, `${at}.assignee`, problems)
  const timeoutMs = raw.timeout === undefined || raw.timeout === null ? null : durationOf(raw.timeout, `${at}.timeout`, problems)
  const onApprove = gotoOf(raw.on_approve, `${at}.on_approve`, site)
  const onReject = gotoOf(raw.on_reject, `${at}.on_reject`, site)
  let onTimeout: string | null = null
  if (raw.on_timeout !== undefined && raw.on_timeout !== null) onTimeout = gotoOf(raw.on_timeout, `${at}.on_timeout`, site)
  if ((raw.timeout ?? null) === null && onTimeout !== null) problems.add(`${at}.timeout`, 'required', 'on_timeout needs a timeout')
  if (problems.any) return null
  return { id, type: 'approval', assignee, timeoutMs, onApprove, onReject, onTimeout }
}

function compileStep (id: string, type: StepType, raw: Record<string, unknown>, site: StepSite): CompiledStep | null {
  const { at, ctx } = site
  const { problems } = ctx
  switch (type) {
    case 'action': {
      checkKeys(problems, at, raw, ['id', 'type', 'actions', 'then'])
      const actions = compileWorkflowActions(raw.actions, `${at}.actions`, ctx)
      return { id, type, actions, then: gotoOf(raw.then, `${at}.then`, site, site.next) }
    }
    case 'condition': {
      checkKeys(problems, at, raw, ['id', 'type', 'expression', 'on_true', 'on_false'])
      const expression = problems.expression(`${at}.expression`, raw.expression)
      const onTrue = gotoOf(raw.on_true, `${at}.on_true`, site)
      const onFalse = gotoOf(raw.on_false, `${at}.on_false`, site)
      return expression === null ? null : { id, type, expression, onTrue, onFalse }
    }
    case 'approval':
      return approvalStep(id, raw, site)
    case 'wait': {
      checkKeys(problems, at, raw, ['id', 'type', 'duration', 'then'])
      const durationMs = durationOf(raw.duration, `${at}.duration`, problems)
      const then = gotoOf(raw.then, `${at}.then`, site, site.next)
      return durationMs === null ? null : { id, type, durationMs, then }
    }
  }
}

/**
 * Compiles a workflow's steps: ids unique (and not `end`), types known, each step's own keys
 * checked, and every goto pointing at a step or `end`. Returns the steps by id in list order.
 */
export function compileSteps (raw: ReadonlyArray<unknown>, ctx: ActionContext): Map<string, CompiledStep> {
  const { problems } = ctx
  const steps = new Map<string, CompiledStep>()
  const ids = raw.map((s) => (isObject(s) && typeof s.id === 'string' ? s.id : null))
  const gotos: GotoRef[] = []
  raw.forEach((s, i) => {
    const at = `steps[${i}]`
    const id = ids[i] ?? null
    if (!isObject(s)) return problems.add(at, 'type', `${at} must be an object {id, type, ...}`)
    if (id === null || !STEP_ID_RE.test(id) || id === END) {
      return problems.add(`${at}.id`, 'pattern', `${at}.id must match ${STEP_ID_RE.source} and not be '${END}'`)
    }
    if (ids.indexOf(id) !== i) return problems.add(`${at}.id`, 'unique', `step id '${id}' is used twice`)
    if (!STEP_TYPES.includes(s.type as StepType)) {
      return problems.add(`${at}.type`, 'enum', `${at}.type must be one of: ${STEP_TYPES.join(', ')}`)
    }
    const next = ids[i + 1] ?? END
    const step = compileStep(id, s.type as StepType, s, { at, next, gotos, ctx })
    if (step !== null) steps.set(id, step)
  })
  const known = new Set(ids.filter((id): id is string => id !== null))
  for (const g of gotos) {
    if (g.target !== END && !known.has(g.target)) problems.add(g.at, 'goto', `${g.at} goes to unknown step '${g.target.slice(0, 100)}'`)
  }
  return steps
}
