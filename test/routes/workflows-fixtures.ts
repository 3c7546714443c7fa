// Helpers shared by the workflow HTTP tests (not a test file itself).
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import type { AppContext } from '../../lib/apps/context.js'
import { workflowRuntimeOf } from '../../lib/workflows/module.js'
import type { WorkflowRuntime } from '../../lib/workflows/runtime.js'
import { actionOverrides, build, createTestApp, type TestApp } from '../helper.js'
import { adminCreate, appContext, dataOf, defineSchema, type Row } from './business-fixtures.js'

/**
 * request 1—n note. `request.status` has a state machine: draft → pending → approved (role
 * boss) / rejected, approved → archived; notes have a unique `code`; a rule caps `amount`.
 */
export const SCHEMA = {
  entities: [
    {
      name: 'request',
      table: 'requests',
      fields: [
        { name: 'id', type: 'uuid' },
        { name: 'title', type: 'string', required: true },
        { name: 'status', type: 'string', enum: ['draft', 'pending', 'approved', 'rejected', 'archived'] },
        { name: 'amount', type: 'int' },
        { name: 'approved_at', type: 'timestamp' },
        { name: 'note', type: 'string' }
      ]
    },
    { name: 'note', table: 'notes', fields: [{ name: 'id', type: 'uuid' }, { name: 'request_id', type: 'uuid' }, { name: 'text', type: 'string', required: true }, { name: 'code', type: 'string', unique: true }] }
  ],
  relations: [
    { name: 'notes', type: 'one_to_many', source: 'request', target: 'note', source_key: 'id', target_key: 'request_id', on_delete: 'cascade' }
  ]
}

export const MACHINE = {
  entity: 'request',
  field: 'status',
  definition: {
    initial: 'draft',
    transitions: [
      { from: 'draft', to: 'pending' },
      { from: 'pending', to: 'approved', roles: ['boss'], actions: [{ type: 'set_field', field: 'approved_at', value: 'now' }] },
      { from: 'pending', to: 'rejected', roles: ['boss'] },
      { from: 'approved', to: 'archived', guard: 'record.amount < 0' }
    ]
  }
}

export const AMOUNT_RULE = { entity: 'request', hook: 'before_write', type: 'field', definition: { field: 'amount', operator: 'max', value: 10000, message: 'amount too high' } }

/** `trigger` → check amount → approval by role boss (1 h) or straight approval. */
export function approvalWorkflow (name: string, extra: Row = {}): Row {
  return {
    name,
    trigger: { type: 'state_change', entity: 'request', field: 'status', to: 'pending' },
    context: { id: 'record.id', amount: 'record.amount', title: 'trigger.record.title' },
    steps: [
      { id: 'check', type: 'condition', expression: 'context.amount > 100', on_true: { goto: 'review' }, on_false: { goto: 'approve_it' } },
      { id: 'review', type: 'approval', assignee: { type: 'role', role: 'boss' }, timeout: '1h', on_approve: { goto: 'approve_it' }, on_reject: { goto: 'reject_it' }, on_timeout: { goto: 'reject_it' } },
      { id: 'approve_it', type: 'action', actions: [{ type: 'set_field', entity: 'request', record_id: 'context.id', field: 'status', value: 'approved' }], then: 'end' },
      { id: 'reject_it', type: 'action', actions: [{ type: 'set_field', entity: 'request', record_id: 'context.id', field: 'status', value: 'rejected' }], then: { goto: 'end' } }
    ],
    ...extra
  }
}

export interface Fixture {
  app: FastifyInstance
  a: TestApp
  ctx: AppContext
  runtime: WorkflowRuntime
}

/** After-commit action types a workflow test may take over (the engine's own handlers run otherwise). */
export const workflowActions = actionOverrides()

/** A fresh app with the schema, the state machine and the amount rule (webhooks may reach the local test receiver). */
export async function setup (t: Test): Promise<Fixture> {
  const app = await build(t, { webhookAllowPrivate: true }, { modules: workflowActions.modules })
  const a = await createTestApp(app, 'wf')
  await defineSchema(t, a, SCHEMA)
  await adminCreate(a, 'state-machines', MACHINE)
  await adminCreate(a, 'rules', AMOUNT_RULE)
  const runtime = workflowRuntimeOf(app.platform.engine)
  if (runtime === null) throw new Error('no workflow runtime')
  return { app, a, ctx: await appContext(app, a), runtime }
}

/** Creates a request (as admin) and returns it. */
export async function createRequest (t: Test, f: Fixture, body: Row): Promise<Row> {
  return dataOf(t, await f.a.as(f.a.admin, { method: 'POST', url: '/request', payload: body }), 201)
}

/** The instances of a workflow, oldest first, as stored. */
export async function instancesOf (f: Fixture, workflow: string): Promise<Row[]> {
  return await f.ctx.sql<Row[]>`SELECT * FROM _workflow_instances WHERE workflow_name = ${workflow} ORDER BY created_at, id`
}

/** The only instance of a workflow (fails the test when there is not exactly one). */
export async function onlyInstance (t: Test, f: Fixture, workflow: string): Promise<Row> {
  const rows = await instancesOf(f, workflow)
  t.equal(rows.length, 1, `one instance of ${workflow}`)
  return rows[0] ?? {}
}

/** Step statuses of an instance's history, e.g. `['null:started', 'check:completed']`. */
export function trail (instance: Row): string[] {
  return (instance.history as Row[]).map((e) => `${String(e.step)}:${String(e.status)}`)
}
