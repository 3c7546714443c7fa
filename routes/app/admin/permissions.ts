import { PERMISSION_BODIES, PERMISSION_ITEM } from '../../../lib/permissions/schemas.js'
import { createPermission, deletePermission, getPermission, listPermissions, updatePermission } from '../../../lib/permissions/store.js'
import { metadataCrudRoutes } from './metadata-crud.js'

/**
 * Permission policy CRUD (docs/security.md, `?entity`). Policies are validated against the current
 * metadata on save; every change recompiles the app's registry.
 */
export default metadataCrudRoutes({
  list: async (app, filter) => await listPermissions(app.sql, filter),
  get: async (app, id) => await getPermission(app.sql, id),
  create: async (app, body) => {
    const row = await createPermission(app, body)
    await app.reload()
    return row
  },
  update: async (app, id, body) => {
    const row = await updatePermission(app, id, body)
    await app.reload()
    return row
  },
  remove: async (app, id) => {
    await deletePermission(app.sql, id)
    await app.reload()
  }
}, 'id', { one: 'permission', kind: 'permissions', item: PERMISSION_ITEM, ...PERMISSION_BODIES })
