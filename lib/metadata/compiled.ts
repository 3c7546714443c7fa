import type { FieldTypeSpec } from '../fields/index.js'
import type { EntityJsonSchemas } from '../schema/entity-schemas.js'
import type { PiecewiseSerializer } from '../schema/record-serializer.js'
import type { RecordValidator } from '../schema/record-validator.js'
import type { EntityDef, FieldDef, FieldType, RelationDef, WriteMode } from './types.js'

/** A field with everything the hot path needs precomputed. */
export interface CompiledField {
  def: FieldDef
  name: string
  type: FieldType
  spec: FieldTypeSpec
  /** Quoted SQL identifier. */
  column: string
  isPk: boolean
  writable: boolean
}

/**
 * One direction of a relation as seen from an entity (`from`):
 * - `has_many` / `has_one`: the other side holds the FK (`other.remoteKey = this.localKey`)
 * - `belongs_to`: this side holds the FK (`this.localKey = other.remoteKey`)
 * - `many_to_many`: through a join table.
 */
export interface RelationEdge {
  /** Key used in `include=` and nested write payloads. */
  name: string
  relation: RelationDef
  kind: 'has_many' | 'has_one' | 'belongs_to' | 'many_to_many'
  /** True when the edge goes from the relation's source to its target. */
  forward: boolean
  from: string
  to: string
  localKey: string
  remoteKey: string
  /** `table` is the raw name; `sqlTable` its schema-qualified identifier, the only form SQL uses. */
  join?: { table: string, sqlTable: string, localColumn: string, remoteColumn: string }
  writeMode: WriteMode
  eager: boolean
}

/**
 * What an entity's definition alone determines, compiled once per distinct definition and
 * carried over to the next registry while the definition is unchanged (`key`: its JSON).
 */
export interface EntityArtifacts {
  key: string
  schemas: EntityJsonSchemas
  validateCreate: RecordValidator
  validateUpdate: RecordValidator
  /** The serializer of the record's own fields, compiled piecewise (ahead of use, or on first call). */
  serializer: PiecewiseSerializer
}

/** An entity compiled once per metadata version: validators, serializers, SQL fragments. */
export interface CompiledEntity {
  def: EntityDef
  name: string
  /** Schema-qualified quoted table identifier (`"public"."t"`, docs/security.md). */
  table: string
  pk: CompiledField
  fields: Map<string, CompiledField>
  fieldList: CompiledField[]
  softDelete: boolean
  /** Relation edges by name (both directions that apply to this entity). */
  edges: Map<string, RelationEdge>
  eagerEdges: RelationEdge[]
  schemas: EntityJsonSchemas
  artifacts: EntityArtifacts
  validateCreate: RecordValidator
  validateUpdate: RecordValidator
  /** `"a", "b", ...` for SELECT lists. */
  selectColumns: string
  /** Prebuilt `"deleted_at" IS NULL` (or empty) for every read. */
  liveCondition: string
  /** Serializes one record (without envelope). */
  serializeRecord: (record: Record<string, unknown>) => string
  /** Maps unique constraint / index names to field names for 409 messages. */
  constraintFields: Map<string, string>
}
