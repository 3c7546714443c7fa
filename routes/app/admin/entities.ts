import type { AppContext } from '../../../lib/apps/context.js'
import { notFound } from '../../../lib/errors.js'
import { createEntity, deleteEntity, updateEntity } from '../../../lib/metadata/admin.js'
import { DROP_QUERY, ENTITY_BODIES, ENTITY_ITEM } from '../../../lib/metadata/schemas.js'
import type { EntityDef } from '../../../lib/metadata/types.js'
import { metadataCrudRoutes } from './metadata-crud.js'

function find (app: AppContext, name: string): EntityDef {
  const def = app.registry.entityDefs.find((e) => e.name === name)
  if (def === undefined) throw notFound(`Entity '${name}' not found`)
  return def
}

/** Entity metadata CRUD; every change migrates the table in the same transaction. `DELETE ?drop=true` drops the table. */
export default metadataCrudRoutes<EntityDef>({
  list: (app) => app.registry.entityDefs,
  get: find,
  create: createEntity,
  update: updateEntity,
  remove: async (app, name, query) => { await deleteEntity(app, name, { drop: query.drop === true }) }
}, 'name', {
  one: 'entity',
  kind: 'entities',
  item: ENTITY_ITEM,
  ...ENTITY_BODIES,
  removeQuery: DROP_QUERY,
  effect: 'migrates the database',
  updateSummary: 'Replace an entity definition (safe migrations only; the name comes from the URL)'
})
