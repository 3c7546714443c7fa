import { notFoundById, requireById, requireDeleted } from '../db/by-id.js'
import type { Sql } from '../db/connection.js'
import { conflict, notFound } from '../errors.js'
import type { UiConfigInput } from './validate.js'

/** A `_ui_configs` row. */
export interface UiConfigRecord extends UiConfigInput {
  id: string
  created_at: Date
  updated_at: Date
}

export interface UiConfigFilter {
  entity?: string | undefined
  scope?: string | undefined
}

function duplicate (err: unknown, input: UiConfigInput): unknown {
  if ((err as { code?: string }).code !== '23505') return err
  return conflict(`A UI config for '${input.entity}' with scope '${input.scope}' already exists`, [
    { field: 'scope', rule: 'unique', message: 'entity and scope must be unique together' }
  ])
}

function filterSql (sql: Sql, f: UiConfigFilter): ReturnType<Sql> {
  return sql`WHERE true
    ${f.entity !== undefined ? sql`AND entity = ${f.entity}` : sql``}
    ${f.scope !== undefined ? sql`AND scope = ${f.scope}` : sql``}`
}

/** UI configs ordered by entity then scope; one page when `page` is given, else all of them. */
export async function listUiConfigs (sql: Sql, f: UiConfigFilter, page?: { page: number, perPage: number }): Promise<{ rows: UiConfigRecord[], total: number }> {
  const where = filterSql(sql, f)
  const limit = page === undefined ? sql`` : sql`LIMIT ${page.perPage} OFFSET ${(page.page - 1) * page.perPage}`
  const [rows, count] = await Promise.all([
    sql<UiConfigRecord[]>`SELECT id, entity, scope, config, created_at, updated_at FROM _ui_configs ${where} ORDER BY entity, scope ${limit}`,
    page === undefined ? null : sql<Array<{ total: string }>>`SELECT count(*) AS total FROM _ui_configs ${where}`
  ])
  return { rows, total: count === null ? rows.length : Number(count[0]?.total ?? 0) }
}

/** One config by id; NOT_FOUND for an unknown or malformed id. */
export async function getUiConfig (sql: Sql, id: string): Promise<UiConfigRecord> {
  return await requireById('UI config', id, async (id) =>
    (await sql<UiConfigRecord[]>`SELECT id, entity, scope, config, created_at, updated_at FROM _ui_configs WHERE id = ${id}`)[0])
}

/** The config of an entity for a scope; NOT_FOUND when there is none. */
export async function uiConfigFor (sql: Sql, entity: string, scope: string): Promise<UiConfigRecord> {
  const rows = await sql<UiConfigRecord[]>`SELECT id, entity, scope, config, created_at, updated_at FROM _ui_configs WHERE entity = ${entity} AND scope = ${scope}`
  if (rows[0] === undefined) throw notFound(`No UI config for '${entity.slice(0, 100)}' (scope '${scope.slice(0, 100)}')`)
  return rows[0]
}

/** Stores a new config; CONFLICT when the entity already has one for that scope. */
export async function insertUiConfig (sql: Sql, input: UiConfigInput): Promise<UiConfigRecord> {
  try {
    const rows = await sql<UiConfigRecord[]>`
      INSERT INTO _ui_configs (entity, scope, config) VALUES (${input.entity}, ${input.scope}, ${JSON.stringify(input.config)}::text::jsonb)
      RETURNING id, entity, scope, config, created_at, updated_at`
    return rows[0] as UiConfigRecord
  } catch (err) {
    throw duplicate(err, input)
  }
}

/** Replaces a config's entity, scope and document; NOT_FOUND / CONFLICT as for insert. */
export async function updateUiConfig (sql: Sql, id: string, input: UiConfigInput): Promise<UiConfigRecord> {
  try {
    const rows = await sql<UiConfigRecord[]>`
      UPDATE _ui_configs SET entity = ${input.entity}, scope = ${input.scope}, config = ${JSON.stringify(input.config)}::text::jsonb, updated_at = now()
      WHERE id = ${id} RETURNING id, entity, scope, config, created_at, updated_at`
    if (rows[0] === undefined) throw notFoundById('UI config', id)
    return rows[0]
  } catch (err) {
    throw duplicate(err, input)
  }
}

/** Deletes a config; NOT_FOUND when unknown. */
export async function deleteUiConfig (sql: Sql, id: string): Promise<void> {
  await requireDeleted('UI config', id, async (id) => (await sql`DELETE FROM _ui_configs WHERE id = ${id} RETURNING id`).length > 0)
}
