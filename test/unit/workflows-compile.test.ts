import t from 'tap'
import type { AppContext } from '../../lib/apps/context.js'
import { buildRegistry } from '../../lib/metadata/registry.js'
import type { EntityDef } from '../../lib/metadata/types.js'
import { validateEntityDef } from '../../lib/metadata/validate-entity.js'
import { Problems } from '../../lib/rules/problems.js'
import { compileWorkflow, compileWorkflows } from '../../lib/workflows/compile.js'
import { parseDuration } from '../../lib/workflows/duration.js'
import { WorkflowRuntime, workflowSettings } from '../../lib/workflows/runtime.js'
import type { ActionStep, WaitStep, WorkflowDef } from '../../lib/workflows/types.js'
import { parseWorkflowBody } from '../../lib/workflows/validate.js'

const defs: EntityDef[] = [
  validateEntityDef({
    name: 'order',
    table: 'orders',
    fields: [{ name: 'id', type: 'uuid' }, { name: 'state', type: 'string', enum: ['new', 'paid'] }, { name: 'qty', type: 'bigint' }, { name: 'paid_on', type: 'date' }]
  })
]
const registry = buildRegistry(defs, [], 1)

const workflow = (steps: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'w', trigger: { type: 'state_change', entity: 'order', field: 'state', to: 'paid' }, context: { id: 'record.id' }, steps, ...extra
})

function compiled (body: Record<string, unknown>): { problems: Problems, wf: ReturnType<typeof compileWorkflow> } {
  const problems = new Problems()
  const def = parseWorkflowBody(body, problems)
  const wf = def === null ? null : compileWorkflow({ ...def, id: 'x' }, registry, { problems })
  return { problems, wf }
}

t.test('durations', async (t) => {
  t.equal(parseDuration('48h'), 48 * 3_600_000)
  t.equal(parseDuration('30m'), 1_800_000)
  t.equal(parseDuration('2d'), 172_800_000)
  t.equal(parseDuration('1h30m'), 5_400_000)
  t.equal(parseDuration('500ms'), 500)
  t.equal(parseDuration('1w'), 604_800_000)
  for (const bad of ['', '0s', '48', 'h', '1.5h', '-1h', '48 h', '2y', '400d', 48, null]) t.equal(parseDuration(bad), null, `${String(bad)} is refused`)
})

t.test('goto forms, fallback `then`, defaults', async (t) => {
  const { problems, wf } = compiled(workflow([
    { id: 'a', type: 'action', actions: [{ type: 'set_field', field: 'qty', value: 2 }] },
    { id: 'b', type: 'wait', duration: '5m', then: 'end' },
    { id: 'c', type: 'action', actions: [{ type: 'set_field', field: 'paid_on', value: 'now' }], then: { goto: 'a' } },
    { id: 'd', type: 'condition', expression: 'true', on_true: 'c', on_false: { goto: 'end' } }
  ]))
  t.same(problems.details, [])
  t.equal(wf?.first, 'a')
  const a = wf?.steps.get('a') as ActionStep
  t.equal(a.then, 'b', 'an absent then goes to the next step')
  t.match(a.actions[0], { type: 'set_field', entity: 'order', now: false, value: 2 })
  t.equal((a.actions[0] as { recordId: { source: string } }).recordId.source, 'trigger.record_id', 'record_id defaults to the trigger record')
  t.equal((wf?.steps.get('b') as WaitStep).durationMs, 300_000)
  t.match((wf?.steps.get('c') as ActionStep).actions[0], { now: true })
})

t.test('trigger values and stored rows', async (t) => {
  t.ok(compiled(workflow([{ id: 'a', type: 'wait', duration: '1s' }], { trigger: { type: 'state_change', entity: 'order', field: 'qty', to: 5 } })).wf !== null, 'a number for a bigint field')
  const bad = compiled(workflow([{ id: 'a', type: 'wait', duration: '1s' }], { trigger: { type: 'state_change', entity: 'order', field: 'state', to: null } }))
  t.match(bad.problems.details, [{ field: 'trigger.to', rule: 'required' }])
  const rows = [
    { ...workflow([{ id: 'a', type: 'wait', duration: '1s' }]), id: 'ok', active: true, created_at: new Date(), updated_at: new Date() },
    { ...workflow([{ id: 'a', type: 'wait', duration: '1s' }]), id: 'off', active: false },
    { ...workflow([{ id: 'a', type: 'wait', duration: 'never' }]), id: 'broken', active: true }
  ] as unknown as Array<WorkflowDef & { id: string }>
  const all = compileWorkflows({ app: {} as AppContext, runtime: new WorkflowRuntime(workflowSettings()), registry, engine: { writeHooks: [], actions: new Map() } }, rows)
  t.same([...all.byId.keys()], ['ok', 'off'], 'inactive workflows are kept for their running instances')
  t.same(all.byEntity.get('order')?.map((w) => w.id), ['ok'], 'only active ones trigger')
  t.match(all.skipped, [{ id: 'broken', message: /duration/ }])
})
