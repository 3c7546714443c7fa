import type { AppContext } from '../apps/context.js'
import { createEntity, createRelation, updateEntity } from '../metadata/admin.js'
import { ENTITY_ITEM, RELATION_ITEM } from '../metadata/schemas.js'
import { loadMetadata } from '../metadata/store.js'
import type { EntityDef, FieldDef, RelationDef } from '../metadata/types.js'
import { validateEntityDef } from '../metadata/validate-entity.js'
import { validateRelationDef } from '../metadata/validate-relation.js'
import { canonicalJson, sameContent } from './canonical.js'
import { contentKind } from './content-kind.js'
import type { Item, ItemOutcome, SchemaKind } from './types.js'

const nameOf = (item: Item): string => typeof item.name === 'string' ? item.name : '?'

/** An entity compared field by field, whatever the order of its fields. */
function comparableEntity (def: EntityDef): unknown {
  return { ...def, fields: [...def.fields].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) }
}

/**
 * An entity that exists with another definition is updated only when the document's version
 * keeps everything and adds fields (a newer version of the same schema): every stored field
 * unchanged, every other setting equal. Anything else is skipped, never overwritten.
 */
function onlyAddsFields (stored: EntityDef, incoming: EntityDef): boolean {
  if (!sameContent({ ...stored, fields: [] }, { ...incoming, fields: [] })) return false
  const byName = new Map<string, FieldDef>(incoming.fields.map((f) => [f.name, f]))
  return stored.fields.every((f) => {
    const other = byName.get(f.name)
    return other !== undefined && canonicalJson(other) === canonicalJson(f)
  })
}

async function reconcileEntity (app: AppContext, stored: EntityDef, incoming: { normalized: EntityDef, item: Item }): Promise<ItemOutcome | null> {
  if (!onlyAddsFields(stored, incoming.normalized)) return null
  await updateEntity(app, stored.name, incoming.item)
  return { status: 'updated' }
}

/** `entities`: by name; an entity that only gains fields is updated (its table gets the columns). */
export const entitiesKind: SchemaKind = contentKind<EntityDef>({
  key: 'entities',
  item: ENTITY_ITEM,
  label: nameOf,
  list: async (app) => (await loadMetadata(app.sql)).entities,
  normalize: (_app, item) => validateEntityDef(item),
  identity: (def) => def.name,
  comparable: comparableEntity,
  create: async (app, item) => await createEntity(app, item),
  reconcile: reconcileEntity
})

/**
 * `relations`: by name. Normalised against the current entities and the other relations, as
 * the admin API would store it (defaults such as `fetch`, `write_mode`, join-table names filled).
 */
export const relationsKind: SchemaKind = contentKind<RelationDef>({
  key: 'relations',
  item: RELATION_ITEM,
  label: nameOf,
  list: async (app) => (await loadMetadata(app.sql)).relations,
  normalize: async (app, item) => {
    const current = await loadMetadata(app.sql)
    const others = current.relations.filter((r) => r.name !== item.name)
    return validateRelationDef(item, new Map(current.entities.map((e) => [e.name, e])), others)
  },
  identity: (def) => def.name,
  create: async (app, item) => await createRelation(app, item)
})
