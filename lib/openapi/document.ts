import type { Registry } from '../metadata/registry.js'
import { errorResponseComponents, securitySchemes, SHARED_SCHEMAS, sharedSchemas, API_KEY, BEARER } from './components.js'
import { entityComponents, fieldReferences } from './entity-components.js'
import { entityPaths } from './entity-paths.js'
import { fileOperations } from './file-paths.js'
import { ComponentNames } from './names.js'
import { relationPayloadComponents } from './relation-payloads.js'
import { routePaths } from './route-paths.js'
import type { OpenApiDocument, PathItemObject, RouteInfo, SchemaObject } from './types.js'

export interface DocumentInput {
  /** App name: the server URL is `/api/<app>`. */
  app: string
  registry: Registry
  /** Routes registered under `/api/:app` (paths relative to it). */
  routes: readonly RouteInfo[]
}

function componentNames (registry: Registry): ComponentNames {
  const names = new ComponentNames(SHARED_SCHEMAS)
  const edges = [...registry.entities.values()].flatMap((e) => [...e.edges.keys()].map((edge) => ({ entity: e.name, edge })))
  names.allocateEntities([...registry.entities.keys()], edges)
  return names
}

/**
 * OpenAPI 3.1 description of one app at one metadata version: the five operations of every
 * entity (schemas from `entityJsonSchemas`, as the validators and serializers use them), the
 * registered system routes (each from its declared route schema).
 */
export function buildOpenApiDocument (input: DocumentInput): OpenApiDocument {
  const { app, registry, routes } = input
  const names = componentNames(registry)
  const refs = fieldReferences(registry)
  const entities = [...registry.entities.values()].sort((a, b) => a.name.localeCompare(b.name))
  const schemas: Record<string, SchemaObject> = sharedSchemas()
  const entityPathItems: Record<string, PathItemObject> = {}
  for (const entity of entities) {
    Object.assign(schemas, entityComponents(entity, names, refs))
    Object.assign(entityPathItems, entityPaths(entity, names))
  }
  Object.assign(schemas, relationPayloadComponents(registry, { names, refs }))
  const system = routePaths(routes, fileOperations())
  Object.assign(schemas, system.schemas)
  return {
    openapi: '3.1.0',
    info: {
      title: `Rocket API: ${app}`,
      version: String(registry.version),
      description: 'Generated from this app\'s metadata; it changes the moment the metadata does (`info.version` is the metadata version). ' +
        'Errors use the envelope `{"error": {"code", "message", "details"?}}`.'
    },
    servers: [{ url: `/api/${app}` }],
    security: [{ [BEARER]: [] }, { [API_KEY]: [] }],
    tags: [
      ...entities.map((e) => ({ name: e.name, description: `Records of entity \`${e.name}\` (table \`${e.def.table}\`).` })),
      { name: 'auth', description: 'Log in and manage tokens (no token needed).' },
      { name: 'admin', description: 'Metadata and app administration (admin role).' }
    ],
    paths: { ...entityPathItems, ...system.paths },
    components: { schemas, responses: errorResponseComponents(), securitySchemes: securitySchemes() }
  }
}

const cache = new WeakMap<Registry, string>()

/**
 * The document as JSON text, built once per registry object: a metadata change swaps in a new
 * registry, so the next request rebuilds it, and entity requests never pay for it.
 */
export function openApiJson (input: DocumentInput): string {
  const hit = cache.get(input.registry)
  if (hit !== undefined) return hit
  const json = JSON.stringify(buildOpenApiDocument(input))
  cache.set(input.registry, json)
  return json
}
