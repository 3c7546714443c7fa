import { NAME } from '../metadata/schemas.js'
import { dataEnvelope, keyParams, type Schema } from '../schema/route-schemas.js'

/** Route schemas of `/api/_platform/apps` (docs/reference.md, "URL layout"; platform admins only). */
const tags = ['platform']
const dateTime: Schema = { type: 'string', format: 'date-time' }

const APP: Schema = {
  type: 'object',
  required: ['name', 'display_name', 'db_name', 'status', 'server', 'created_at', 'updated_at'],
  properties: {
    name: { type: 'string' },
    display_name: { type: 'string' },
    db_name: { type: 'string', description: 'The app\'s own database.' },
    status: { type: 'string', description: '`active`, or `deleting` while its database is dropped.' },
    server: { type: 'string', description: 'The database server holding it.' },
    created_at: dateTime,
    updated_at: dateTime
  },
  additionalProperties: false
}

const params = keyParams('name')

export const APP_ROUTES = {
  list: { operationId: 'platform_list_apps', summary: 'List apps', tags, response: { 200: dataEnvelope({ type: 'array', items: APP }) } },
  create: {
    operationId: 'platform_create_app',
    summary: 'Create an app (its own database, system tables and a seeded admin)',
    tags,
    body: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { ...NAME, description: 'The URL segment `/api/<name>`.' },
        display_name: { type: 'string', maxLength: 200, description: 'Defaults to the name.' },
        server: { type: 'string', maxLength: 63, description: 'A registered database server; default: the least loaded.' }
      },
      additionalProperties: false
    },
    response: { 201: dataEnvelope(APP) },
    errors: [409]
  },
  get: { operationId: 'platform_get_app', summary: 'Get an app', tags, params, response: { 200: dataEnvelope(APP) } },
  remove: {
    operationId: 'platform_delete_app',
    summary: 'Delete an app (drops its database)',
    tags,
    params,
    response: { 200: dataEnvelope({ type: 'object', required: ['name'], properties: { name: { type: 'string' } }, additionalProperties: false }) }
  }
}
