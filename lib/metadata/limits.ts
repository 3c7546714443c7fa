import { validationFailed } from '../errors.js'
import type { MetadataSnapshot } from './store.js'
import type { EntityDef } from './types.js'

/**
 * What one app's schema may hold (docs/security.md, "Fairness, limits and quotas"): every
 * registry rebuild and OpenAPI document grows with it, on a server other apps share. Fields
 * per entity (500) are checked with the definition itself (`validate-entity.ts`).
 */
export const APP_SCHEMA_LIMITS = {
  entities: 500,
  /** Sum of the entity definitions' JSON sizes. */
  schemaBytes: 4 * 1024 * 1024
} as const

/** 422 when saving `def` (new, or replacing the entity of the same name) would take the app past its limits. */
export function checkAppSchemaLimits (current: MetadataSnapshot, def: EntityDef): void {
  const others = current.entities.filter((e) => e.name !== def.name)
  if (others.length + 1 > APP_SCHEMA_LIMITS.entities) {
    throw validationFailed(`An app may hold at most ${APP_SCHEMA_LIMITS.entities} entities`, [
      { field: 'name', rule: 'max', message: `this app already has ${others.length} entities` }
    ])
  }
  let bytes = Buffer.byteLength(JSON.stringify(def))
  for (const e of others) bytes += Buffer.byteLength(JSON.stringify(e))
  if (bytes > APP_SCHEMA_LIMITS.schemaBytes) {
    throw validationFailed(`The app's entity definitions would take ${bytes} bytes; at most ${APP_SCHEMA_LIMITS.schemaBytes} are allowed per app`, [
      { field: 'fields', rule: 'max', message: 'total schema size exceeded: remove fields or entities first' }
    ])
  }
}
