import { filterQuery, pagedList, pagedQuery } from '../schema/pagination.js'
import { dataEnvelope, FREE_OBJECT, ID_PARAMS, storedItem, writeBodies, type Schema } from '../schema/route-schemas.js'

export const DEFAULT_SCOPE = 'default'

const ENTITY: Schema = { type: 'string', minLength: 1, maxLength: 200 }
const SCOPE: Schema = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$',
  description: '1-100 letters, digits or `_ . : -`, starting with a letter or digit.'
}

/** The keys of a UI config (docs/reference.md, "UI configs"). */
const UI_CONFIG_PROPERTIES: Record<string, Schema> = {
  entity: ENTITY,
  scope: { ...SCOPE, default: DEFAULT_SCOPE },
  config: { ...FREE_OBJECT, description: 'Any JSON object the client UI reads.' }
}

export const UI_CONFIG_BODIES = writeBodies(UI_CONFIG_PROPERTIES, ['entity', 'config'])
export const UI_CONFIG_ITEM = storedItem(UI_CONFIG_PROPERTIES)

const tags = ['admin']
const one = dataEnvelope(UI_CONFIG_ITEM)

/** Route schemas of `/_admin/ui-configs` and `/_ui`. */
export const UI_CONFIG_ROUTES = {
  list: { operationId: 'admin_list_ui_configs', summary: 'List UI configs', tags, querystring: pagedQuery({ entity: ENTITY, scope: SCOPE }), response: { 200: pagedList(UI_CONFIG_ITEM) } },
  get: { operationId: 'admin_get_ui_config', summary: 'Get a UI config', tags, params: ID_PARAMS, response: { 200: one } },
  create: { operationId: 'admin_create_ui_config', summary: 'Create a UI config', tags, body: UI_CONFIG_BODIES.create, response: { 201: one } },
  update: { operationId: 'admin_update_ui_config', summary: 'Update a UI config: omitted keys keep their stored values', tags, params: ID_PARAMS, body: UI_CONFIG_BODIES.update, response: { 200: one } },
  remove: { operationId: 'admin_delete_ui_config', summary: 'Delete a UI config', tags, params: ID_PARAMS, response: { 200: dataEnvelope({ type: 'object', required: ['id'], properties: { id: { type: 'string' } }, additionalProperties: false }) } },
  /** `GET /_ui/configs`: every config, for any user of the app. */
  read: { operationId: 'ui_list_configs', summary: 'UI configs for client applications', tags: ['ui'], querystring: filterQuery({ entity: ENTITY, scope: SCOPE }), response: { 200: dataEnvelope({ type: 'array', items: UI_CONFIG_ITEM }) } },
  /** `GET /_ui/config/:entity`: one entity's config for a scope. */
  readOne: {
    operationId: 'ui_get_config',
    summary: 'The UI config of an entity for a scope',
    tags: ['ui'],
    params: { type: 'object', required: ['entity'], properties: { entity: ENTITY } },
    querystring: filterQuery({ scope: { ...SCOPE, default: DEFAULT_SCOPE } }),
    response: { 200: one }
  }
}
