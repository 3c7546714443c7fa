import type { PendingQuery, Row } from 'postgres'
import type { Sql, TransactionSql } from '../db/connection.js'
import type { Assignee, HistoryEntry, InstanceRow, InstanceStatus, InstanceView, TriggerInfo, WaitingFor } from './types.js'

type Db = Sql | TransactionSql

/** JSON bound as text and cast (postgres.js would encode a string bound to a jsonb parameter twice). */
function jsonText (value: unknown): string | null {
  return value === null ? null : JSON.stringify(value)
}

/** What the API shows of an instance: the lease bookkeeping is internal. */
export function instanceView (row: InstanceRow): InstanceView {
  const { lease_id: _lease, locked_until: _until, chain: _chain, ...view } = row
  return view
}

/** A new instance, written in the transaction of the change that triggered it. */
export interface NewInstance {
  id: string
  workflowId: string
  status: InstanceStatus
  currentStep: string | null
  context: Record<string, unknown>
  history: HistoryEntry[]
  trigger: TriggerInfo
  chain: number
  leaseId: string
  leaseMs: number
}

/**
 * The INSERT of a triggered instance (not awaited: the trigger hook queues it with the unit's
 * COMMIT). It selects from `_workflows`, so a workflow deleted meanwhile starts nothing instead
 * of failing the data change on the foreign key. The instance is leased to this process from
 * the moment it is written (`clock_timestamp()`: `now()` would be the start of a long unit).
 */
export function insertInstanceQuery (tx: TransactionSql, i: NewInstance): PendingQuery<Row[]> {
  return tx`
    INSERT INTO _workflow_instances (id, workflow_id, workflow_name, status, current_step, context, history, trigger, chain, lease_id, locked_until)
    SELECT ${i.id}, w.id, w.name, ${i.status}, ${i.currentStep}, ${jsonText(i.context)}::text::jsonb, ${jsonText(i.history)}::text::jsonb,
      ${jsonText(i.trigger)}::text::jsonb, ${i.chain}, ${i.leaseId}, clock_timestamp() + ${i.leaseMs} * interval '1 millisecond'
    FROM _workflows w WHERE w.id = ${i.workflowId}`
}

/** One instance by id (a well-formed uuid), or null. */
export async function instanceRow (sql: Db, id: string): Promise<InstanceRow | null> {
  const rows = await sql<InstanceRow[]>`SELECT * FROM _workflow_instances WHERE id = ${id}`
  return rows[0] ?? null
}

/** Where an instance goes after a step. */
export interface InstanceChange {
  status: InstanceStatus
  /** Paused at an approval or a wait (status `running`, lease released), or null. */
  waitingFor: WaitingFor | null
  currentStep: string | null
  deadline: Date | null
  assignee: Assignee | null
  entries: HistoryEntry[]
}

/**
 * Persists a step's outcome, only while the caller still holds the instance's lease (null
 * otherwise: another process took it over). An instance whose steps go on keeps its lease,
 * renewed for `leaseMs`; a paused or finished one releases it.
 */
export async function moveInstance (sql: Db, at: { id: string, leaseId: string, leaseMs: number }, change: InstanceChange): Promise<InstanceRow | null> {
  const running = change.status === 'running' && change.waitingFor === null
  const rows = await sql<InstanceRow[]>`
    UPDATE _workflow_instances SET status = ${change.status}, waiting_for = ${change.waitingFor}, current_step = ${change.currentStep},
      current_step_deadline = ${change.deadline}, assignee = ${jsonText(change.assignee)}::text::jsonb,
      history = history || ${jsonText(change.entries)}::text::jsonb,
      lease_id = CASE WHEN ${running}::boolean THEN lease_id END,
      locked_until = CASE WHEN ${running}::boolean THEN now() + ${at.leaseMs} * interval '1 millisecond' END,
      updated_at = now()
    WHERE id = ${at.id} AND lease_id = ${at.leaseId}
    RETURNING *`
  return rows[0] ?? null
}

/**
 * Gives a leased instance back unstarted (this process is draining): its lease ends now, so
 * the next scheduler pass of any process runs it instead of waiting for the lease to expire.
 */
export async function releaseLease (sql: Db, at: { id: string, leaseId: string }): Promise<void> {
  await sql`UPDATE _workflow_instances SET locked_until = now() WHERE id = ${at.id} AND lease_id = ${at.leaseId} AND status = 'running' AND waiting_for IS NULL`
}

/**
 * Locks a leased instance's row for a step's transaction and renews the lease; false when the
 * lease was lost. Other claimers skip the locked row until the step commits.
 */
export async function lockLeased (tx: TransactionSql, at: { id: string, leaseId: string, leaseMs: number }): Promise<boolean> {
  const rows = await tx`
    UPDATE _workflow_instances SET locked_until = now() + ${at.leaseMs} * interval '1 millisecond'
    WHERE id = ${at.id} AND lease_id = ${at.leaseId} AND status = 'running' AND waiting_for IS NULL RETURNING id`
  return rows.length > 0
}

/**
 * Claims instances the scheduler must advance: approvals and waits whose deadline passed, and
 * `running` instances whose lease expired (their process died or stalled). `FOR UPDATE SKIP
 * LOCKED` keeps concurrent claimers — other processes included — off the same rows; a claim
 * sets the instance `running` under a fresh lease.
 */
export async function claimDueInstances (sql: Sql, opts: { limit: number, leaseMs: number }): Promise<InstanceRow[]> {
  return await sql<InstanceRow[]>`
    WITH due AS (
      SELECT id FROM _workflow_instances
      WHERE status = 'running' AND (
        (waiting_for IS NOT NULL AND current_step_deadline <= now())
        OR (waiting_for IS NULL AND (locked_until IS NULL OR locked_until < now())))
      ORDER BY updated_at LIMIT ${opts.limit} FOR UPDATE SKIP LOCKED
    )
    UPDATE _workflow_instances i SET waiting_for = NULL, lease_id = gen_random_uuid(),
      locked_until = now() + ${opts.leaseMs} * interval '1 millisecond', updated_at = now()
    FROM due WHERE i.id = due.id
    RETURNING i.*`
}

/**
 * Records an approval decision if the instance is still waiting on that step, and leases it to
 * the decider's process to run what follows. Null when it is not (decided or timed out meanwhile).
 */
export async function decideInstance (sql: Sql, d: { id: string, step: string, next: string | null, entry: HistoryEntry, leaseId: string, leaseMs: number }): Promise<InstanceRow | null> {
  const rows = await sql<InstanceRow[]>`
    UPDATE _workflow_instances SET waiting_for = NULL, current_step = ${d.next}, current_step_deadline = NULL, assignee = NULL,
      history = history || ${jsonText([d.entry])}::text::jsonb, lease_id = ${d.leaseId},
      locked_until = now() + ${d.leaseMs} * interval '1 millisecond', updated_at = now()
    WHERE id = ${d.id} AND status = 'running' AND waiting_for = 'approval' AND current_step = ${d.step}
    RETURNING *`
  return rows[0] ?? null
}

/** Who asks for pending approvals. */
export interface Decider {
  id: string
  roles: readonly string[]
  admin: boolean
}

/** Approvals waiting for a decision the caller may take (assignee role or user; admins see all, and alone decide those without an assignee), oldest first. */
export async function listPending (sql: Sql, who: Decider, page: { page: number, perPage: number }): Promise<{ rows: InstanceRow[], total: number }> {
  const mine = sql`status = 'running' AND waiting_for = 'approval' AND (${who.admin}::boolean
    OR assignee->>'role' = ANY(${sql.array([...who.roles])}::text[]) OR assignee->>'user_id' = ${who.id.toLowerCase()})`
  const [rows, count] = await Promise.all([
    sql<InstanceRow[]>`SELECT * FROM _workflow_instances WHERE ${mine} ORDER BY created_at, id LIMIT ${page.perPage} OFFSET ${(page.page - 1) * page.perPage}`,
    sql<Array<{ total: string }>>`SELECT count(*) AS total FROM _workflow_instances WHERE ${mine}`
  ])
  return { rows, total: Number(count[0]?.total ?? 0) }
}

/** Instances for the admin monitor, newest first, optionally by status, what they wait for and workflow name. */
export async function listInstances (sql: Sql, q: { status?: string, waiting_for?: string, workflow?: string, page: number, perPage: number }): Promise<{ rows: InstanceRow[], total: number }> {
  const where = sql`(${q.status ?? null}::text IS NULL OR status = ${q.status ?? null}::text)
    AND (${q.waiting_for ?? null}::text IS NULL OR waiting_for = ${q.waiting_for ?? null}::text)
    AND (${q.workflow ?? null}::text IS NULL OR workflow_name = ${q.workflow ?? null}::text)`
  const [rows, count] = await Promise.all([
    sql<InstanceRow[]>`SELECT * FROM _workflow_instances WHERE ${where} ORDER BY created_at DESC, id LIMIT ${q.perPage} OFFSET ${(q.page - 1) * q.perPage}`,
    sql<Array<{ total: string }>>`SELECT count(*) AS total FROM _workflow_instances WHERE ${where}`
  ])
  return { rows, total: Number(count[0]?.total ?? 0) }
}
