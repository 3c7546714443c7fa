import { apiData } from './client.js'
import { FIELD_TYPES, type EntityDef, type FieldType, type RelationDef } from './types.js'

const base = (app: string): string => `/${encodeURIComponent(app)}/_admin`

/** Spellings the engine accepts for a type (lib/metadata/types.ts FIELD_TYPE_ALIASES). */
const ALIASES: Record<string, FieldType> = { integer: 'int', datetime: 'timestamp', jsonb: 'json' }

/** Field types in their canonical names, so the pages compare against FIELD_TYPES only. */
function canonical (def: EntityDef): EntityDef {
  return {
    ...def,
    fields: def.fields.map((f) => (FIELD_TYPES as readonly string[]).includes(f.type) ? f : { ...f, type: ALIASES[f.type] ?? f.type })
  }
}

export const listEntities = async (app: string): Promise<EntityDef[]> =>
  (await apiData<EntityDef[]>(`${base(app)}/entities`)).map(canonical)

export const getEntity = async (app: string, name: string): Promise<EntityDef> =>
  canonical(await apiData<EntityDef>(`${base(app)}/entities/${encodeURIComponent(name)}`))

export const createEntity = async (app: string, def: unknown): Promise<EntityDef> =>
  await apiData<EntityDef>(`${base(app)}/entities`, { method: 'POST', body: def })

export const updateEntity = async (app: string, name: string, def: unknown): Promise<EntityDef> =>
  await apiData<EntityDef>(`${base(app)}/entities/${encodeURIComponent(name)}`, { method: 'PUT', body: def })

/** Removes the metadata; with `drop` the table (and its data) too. */
export const deleteEntity = async (app: string, name: string, drop: boolean): Promise<void> => {
  await apiData<unknown>(`${base(app)}/entities/${encodeURIComponent(name)}`, { method: 'DELETE', query: { drop: drop ? 'true' : undefined } })
}

export const listRelations = async (app: string): Promise<RelationDef[]> => await apiData<RelationDef[]>(`${base(app)}/relations`)

export const createRelation = async (app: string, def: unknown): Promise<RelationDef> =>
  await apiData<RelationDef>(`${base(app)}/relations`, { method: 'POST', body: def })

export const updateRelation = async (app: string, name: string, def: unknown): Promise<RelationDef> =>
  await apiData<RelationDef>(`${base(app)}/relations/${encodeURIComponent(name)}`, { method: 'PUT', body: def })

export const deleteRelation = async (app: string, name: string): Promise<void> => {
  await apiData<unknown>(`${base(app)}/relations/${encodeURIComponent(name)}`, { method: 'DELETE' })
}
