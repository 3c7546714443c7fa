import type { Sql } from '../db/connection.js'

/** One `_audit_log` row as the API shows it. */
export interface AuditRecord {
  id: string
  entity: string
  record_id: string
  action: 'create' | 'update' | 'delete'
  changes: Record<string, unknown> | null
  user_id: string | null
  at: Date
}

export interface AuditFilter {
  entity?: string | undefined
  record_id?: string | undefined
  action?: string | undefined
}

/**
 * One page of audit rows, newest first, with the total for the same filters. The filters use
 * the `(entity, record_id, at)` index; every value is bound.
 */
export async function listAudit (sql: Sql, filter: AuditFilter, page: { page: number, perPage: number }): Promise<{ rows: AuditRecord[], total: number }> {
  const where = sql`
    WHERE true
    ${filter.entity !== undefined ? sql`AND entity = ${filter.entity}` : sql``}
    ${filter.record_id !== undefined ? sql`AND record_id = ${filter.record_id}` : sql``}
    ${filter.action !== undefined ? sql`AND action = ${filter.action}` : sql``}`
  const [rows, count] = await Promise.all([
    sql<AuditRecord[]>`
      SELECT id, entity, record_id, action, changes, user_id, at FROM _audit_log ${where}
      ORDER BY at DESC, id DESC LIMIT ${page.perPage} OFFSET ${(page.page - 1) * page.perPage}`,
    sql<Array<{ total: string }>>`SELECT count(*) AS total FROM _audit_log ${where}`
  ])
  return { rows, total: Number(count[0]?.total ?? 0) }
}
