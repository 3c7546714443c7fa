import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { AppContext } from '../apps/context.js'
import { notFoundById, requireById, requireDeleted } from '../db/by-id.js'
import type { AppDatabase } from '../db/system-tables.js'
import type { PermissionAction, PermissionInput, PermissionRow } from './types.js'
import { validatePermission } from './validate.js'

type Db = Kysely<AppDatabase>

const COLUMNS = ['id', 'entity', 'action', 'roles', 'conditions', 'fields', 'created_at', 'updated_at'] as const

/**
 * jsonb parameter: sent as text and cast, because postgres.js would serialize a string bound
 * to a jsonb parameter once more (storing a JSON string instead of the array).
 */
function jsonb (value: unknown): RawBuilder<string> {
  return sql<string>`${JSON.stringify(value)}::text::jsonb`
}

function toRow (r: { id: string, entity: string, action: string, roles: string[], conditions: unknown, fields: string[] | null, created_at: Date, updated_at: Date }): PermissionRow {
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
export async function loadPermissions (db: Db): Promise<PermissionInput[]> {
  const rows = await db.selectFrom('_permissions').select(COLUMNS).orderBy('created_at').orderBy('id').execute()
  return rows.map(toRow)
}

/** Policies for the admin API, optionally of one entity. */
export async function listPermissions (db: Db, filter: { entity?: string | undefined }): Promise<PermissionRow[]> {
  let q = db.selectFrom('_permissions').select(COLUMNS)
  if (filter.entity !== undefined) q = q.where('entity', '=', filter.entity)
  return (await q.orderBy('entity').orderBy('action').orderBy('created_at').execute()).map(toRow)
}

/** One policy; NOT_FOUND (also for an id that is not a UUID). */
export async function getPermission (db: Db, id: string): Promise<PermissionRow> {
  const row = await requireById('Permission', id, async (id) => await db.selectFrom('_permissions').select(COLUMNS).where('id', '=', id).executeTakeFirst())
  return toRow(row)
}

/** Validates against the app's current metadata and stores a new policy (takes effect on the next registry reload). */
export async function createPermission (app: AppContext, input: unknown): Promise<PermissionRow> {
  const def = validatePermission(input, app.registry)
  const row = await app.db.insertInto('_permissions')
    .values({ entity: def.entity, action: def.action, roles: def.roles, conditions: jsonb(def.conditions), fields: def.fields ?? null })
    .returning(COLUMNS).executeTakeFirstOrThrow()
  return toRow(row)
}

/** PUT: the body is merged over the stored policy, then validated as a whole. */
export async function updatePermission (app: AppContext, id: string, input: unknown): Promise<PermissionRow> {
  const current = await getPermission(app.db, id)
  const merged = typeof input === 'object' && input !== null && !Array.isArray(input)
    ? { entity: current.entity, action: current.action, roles: current.roles, conditions: current.conditions, fields: current.fields, ...input }
    : input
  const def = validatePermission(merged, app.registry)
  const row = await app.db.updateTable('_permissions')
    .set({ entity: def.entity, action: def.action, roles: def.roles, conditions: jsonb(def.conditions), fields: def.fields ?? null, updated_at: new Date() })
    .where('id', '=', current.id).returning(COLUMNS).executeTakeFirst()
  if (row === undefined) throw notFoundById('Permission', id)
  return toRow(row)
}

/** Deletes a policy; NOT_FOUND when there is none. */
export async function deletePermission (db: Db, id: string): Promise<void> {
  await requireDeleted('Permission', id, async (id) => (await db.deleteFrom('_permissions').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n)
}
