import { permissionsKind, rulesKind, stateMachinesKind, uiConfigsKind, webhooksKind } from './kinds-logic.js'
import { entitiesKind, relationsKind } from './kinds-schema.js'
import { workflowsKind } from './kinds-workflows.js'
import type { SchemaKind } from './types.js'

/**
 * Every kind of metadata in the export document, in dependency order (docs/reference.md, "Export and import"): entities,
 * relations, then the business logic that refers to them. Export writes them in this order
 * and import creates them in this order. To plug a capability in, put its `SchemaKind` here
 * (`contentKind` builds one from a list, a normaliser, a natural key and a create).
 */
export const SCHEMA_KINDS: readonly SchemaKind[] = [
  entitiesKind,
  relationsKind,
  rulesKind,
  stateMachinesKind,
  workflowsKind,
  permissionsKind,
  webhooksKind,
  uiConfigsKind
]
