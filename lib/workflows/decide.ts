import { randomUUID } from 'node:crypto'
import { isAdmin, type AppContext, type UserContext } from '../apps/context.js'
import { conflict, forbidden, notFound } from '../errors.js'
import { UUID_RE } from '../fields/spec.js'
import { workflowsOf } from './compile.js'
import { decideInstance, instanceRow } from './instances.js'
import { END, type Assignee, type HistoryEntry, type InstanceRow } from './types.js'

/** Whether a user may decide an approval assigned so: an admin, a holder of the role, or the user named. */
export function mayDecide (user: UserContext, assignee: Assignee | null): boolean {
  if (isAdmin(user)) return true
  if (assignee === null) return false
  return assignee.type === 'role' ? user.roles.includes(assignee.role) : user.id.toLowerCase() === assignee.user_id
}

/**
 * Who may read an instance: admins, whoever may decide its pending approval, and anyone in its
 * history (who started it, who decided a step). Others get 404: its existence is not revealed.
 */
export function mayRead (user: UserContext, row: InstanceRow): boolean {
  if (isAdmin(user)) return true
  if (row.waiting_for === 'approval' && mayDecide(user, row.assignee)) return true
  return row.history.some((e) => e.by === user.id)
}

/** One instance for `user`; 404 NOT_FOUND when unknown, malformed or not theirs to see. */
export async function readInstance (app: AppContext, user: UserContext, id: string): Promise<InstanceRow> {
  const row = UUID_RE.test(id) ? await instanceRow(app.sql, id) : null
  if (row === null || !mayRead(user, row)) throw notFound(`Workflow instance '${id.slice(0, 100)}' not found`)
  return row
}

/**
 * Approves or rejects the approval an instance waits on, then runs the steps that follow until
 * the instance pauses or ends, and returns it. 404 when the caller cannot see it, 409 CONFLICT
 * when it is not waiting for an approval (decided, timed out, finished), 403 FORBIDDEN unless
 * the caller is an assignee (role or user) or an admin. Two concurrent decisions: one wins, the
 * other gets 409.
 */
export async function decide (app: AppContext, d: { user: UserContext, id: string, approve: boolean, comment: string | null }): Promise<InstanceRow> {
  const { user } = d
  const row = UUID_RE.test(d.id) ? await instanceRow(app.sql, d.id) : null
  if (row === null) throw notFound(`Workflow instance '${d.id.slice(0, 100)}' not found`)
  if (row.status !== 'running' || row.waiting_for !== 'approval' || row.current_step === null) {
    const where = row.status === 'running' ? `at step '${row.current_step ?? ''}'` : row.status
    throw conflict(`Workflow instance ${row.id} is ${where}, not waiting for an approval`)
  }
  if (!mayDecide(user, row.assignee)) throw forbidden('Only an assignee of this approval or an admin may decide it')
  const compiled = workflowsOf(app.registry)
  const step = row.workflow_id === null ? undefined : compiled?.byId.get(row.workflow_id)?.steps.get(row.current_step)
  if (compiled === undefined || step?.type !== 'approval') {
    throw conflict(`Step '${row.current_step}' of workflow '${row.workflow_name}' is no longer an approval`)
  }
  const next = d.approve ? step.onApprove : step.onReject
  const entry: HistoryEntry = {
    step: step.id,
    status: d.approve ? 'approved' : 'rejected',
    by: user.id,
    at: new Date().toISOString(),
    detail: { next, ...(d.comment !== null ? { comment: d.comment } : {}) }
  }
  const { runtime } = compiled
  const decided = await decideInstance(app.sql, {
    id: row.id, step: step.id, next: next === END ? null : next, entry, leaseId: randomUUID(), leaseMs: runtime.settings.leaseMs
  })
  if (decided === null) throw conflict(`Workflow instance ${row.id} was decided or timed out meanwhile`)
  return await runtime.run(app, decided)
}
