import type { AppContext } from '../apps/context.js'
import { notFoundById, requireById, requireDeleted } from '../db/by-id.js'
import type { Sql } from '../db/connection.js'
import type { PermissionsRow } from '../db/system-tables.js'
import type { PermissionAction, PermissionInput, PermissionRow } from './types.js'
import { validatePermission } from './validate.js'

const COLUMNS = ['id', 'entity', 'action', 'roles', 'conditions', 'fields', 'created_at', 'updated_at'] as const

function toRow (r: PermissionsRow): PermissionRow {
  return {
    id: r.id,
    entity: r.entity,
    action: r.action as PermissionAction,
    roles: r.roles,
    conditions: Array.isArray(r.conditions) ? r.conditions : [],
    fields: r.fields,
    created_at: r.created_at,
    updated_at: r.updated_at
  }
}

/** Every stored policy, oldest first (what the permissions module compiles per metadata version). */
export async function loadPermissions (sql: Sql): Promise<PermissionInput[]> {
  const rows = await sql<PermissionsRow[]>`SELECT ${sql(COLUMNS)} FROM _permissions ORDER BY created_at, id`
  return rows.map(toRow)
}

/** Policies for the admin API, optionally of one entity. */
export async function listPermissions (sql: Sql, filter: { entity?: string | undefined }): Promise<PermissionRow[]> {
  const where = filter.entity === undefined ? sql`` : sql`WHERE entity = ${filter.entity}`
  const rows = await sql<PermissionsRow[]>`SELECT ${sql(COLUMNS)} FROM _permissions ${where} ORDER BY entity, action, created_at`
  return rows.map(toRow)
}

/** One policy; NOT_FOUND (also for an id that is not a UUID). */
export async function getPermission (sql: Sql, id: string): Promise<PermissionRow> {
  const row = await requireById('Permission', id, async (id) => (await sql<PermissionsRow[]>`SELECT ${sql(COLUMNS)} FROM _permissions WHERE id = ${id}`)[0])
  return toRow(row)
}

/** Validates against the app's current metadata and stores a new policy (takes effect on the next registry reload). */
export async function createPermission (app: AppContext, input: unknown): Promise<PermissionRow> {
  const def = validatePermission(input, app.registry)
  const sql = app.sql
  // jsonb bound as text and cast: postgres.js would serialize a string bound to a jsonb parameter once more.
  const [row] = await sql<PermissionsRow[]>`INSERT INTO _permissions (entity, action, roles, conditions, fields)
    VALUES (${def.entity}, ${def.action}, ${def.roles}::text[], ${JSON.stringify(def.conditions)}::text::jsonb, ${def.fields ?? null}::text[])
    RETURNING ${sql(COLUMNS)}`
  return toRow(row as PermissionsRow)
}

/** PUT: the body is merged over the stored policy, then validated as a whole. */
export async function updatePermission (app: AppContext, id: string, input: unknown): Promise<PermissionRow> {
  const sql = app.sql
  const current = await getPermission(sql, id)
  const merged = typeof input === 'object' && input !== null && !Array.isArray(input)
    ? { entity: current.entity, action: current.action, roles: current.roles, conditions: current.conditions, fields: current.fields, ...input }
    : input
  const def = validatePermission(merged, app.registry)
  const [row] = await sql<PermissionsRow[]>`UPDATE _permissions SET entity = ${def.entity}, action = ${def.action}, roles = ${def.roles}::text[],
    conditions = ${JSON.stringify(def.conditions)}::text::jsonb, fields = ${def.fields ?? null}::text[], updated_at = now()
    WHERE id = ${current.id} RETURNING ${sql(COLUMNS)}`
  if (row === undefined) throw notFoundById('Permission', id)
  return toRow(row)
}

/** Deletes a policy; NOT_FOUND when there is none. */
export async function deletePermission (sql: Sql, id: string): Promise<void> {
  await requireDeleted('Permission', id, async (id) => (await sql`DELETE FROM _permissions WHERE id = ${id}`).count > 0)
}
