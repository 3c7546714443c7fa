import type { AppContext } from '../../../lib/apps/context.js'
import { notFound } from '../../../lib/errors.js'
import { createRelation, deleteRelation, updateRelation } from '../../../lib/metadata/admin.js'
import { RELATION_BODIES, RELATION_ITEM } from '../../../lib/metadata/schemas.js'
import type { RelationDef } from '../../../lib/metadata/types.js'
import { metadataCrudRoutes } from './metadata-crud.js'

function find (app: AppContext, name: string): RelationDef {
  const def = app.registry.relationDefs.find((r) => r.name === name)
  if (def === undefined) throw notFound(`Relation '${name}' not found`)
  return def
}

/** Relation metadata CRUD; foreign keys and join tables are migrated with the change. */
export default metadataCrudRoutes<RelationDef>({
  list: (app, { entity }) => app.registry.relationDefs.filter((r) => entity === undefined || r.source === entity || r.target === entity),
  get: find,
  create: createRelation,
  update: updateRelation,
  remove: deleteRelation
}, 'name', { one: 'relation', kind: 'relations', item: RELATION_ITEM, ...RELATION_BODIES, effect: 'migrates the database' })
