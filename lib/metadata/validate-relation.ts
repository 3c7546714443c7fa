import { isSystemCatalogName } from '../db/identifiers.js'
import { fieldTypeOf } from '../fields/index.js'
import { didYouMean, validationFailed, type ErrorDetail } from '../errors.js'
import { shapeProblems } from '../schema/shape.js'
import { NAME_PATTERN, NAME_RE, RELATION_BODIES } from './schemas.js'
import type { EntityDef, RelationDef } from './types.js'

type Raw = Record<string, unknown>

/** Keys of a stored row a client may send back: ignored. */
const ROW_KEYS: ReadonlySet<string> = new Set(['id', 'created_at', 'updated_at'])

/** The value family of a key field (families that match may reference each other through a foreign key). */
function keyFamily (entity: EntityDef, field: string): string | null {
  const f = entity.fields.find((x) => x.name === field)
  return f === undefined ? null : fieldTypeOf(f).family
}

/**
 * Validates a relation against the current entities and relations (excluding the relation
 * itself on update) and fills in defaults. Its shape — keys, names, enums — is the schema the
 * route declares (`schemas.ts`); this checks what a schema cannot say: the entities and keys
 * exist and fit, the join table and edge names are free. Throws VALIDATION_FAILED with every problem.
 */
export function validateRelationDef (input: unknown, entities: Map<string, EntityDef>, others: RelationDef[]): RelationDef {
  const shape = shapeProblems(RELATION_BODIES.create, input)
  if (shape.length > 0) throw validationFailed('Invalid relation definition', shape)
  const raw = input as Raw
  const errors: ErrorDetail[] = []
  const add = (field: string, message: string, rule = 'invalid'): void => { errors.push({ field, rule, message }) }
  const type = raw.type as RelationDef['type']
  const source = entities.get(raw.source as string)
  const target = entities.get(raw.target as string)
  if (source === undefined) add('source', `unknown source entity '${String(raw.source)}'${didYouMean(String(raw.source), entities.keys())}`, 'exists')
  if (target === undefined) add('target', `unknown target entity '${String(raw.target)}'${didYouMean(String(raw.target), entities.keys())}`, 'exists')
  if (errors.length > 0 || source === undefined || target === undefined) throw validationFailed('Invalid relation definition', errors)

  const given = Object.fromEntries(Object.entries(raw).filter(([k]) => !ROW_KEYS.has(k)))
  const def: RelationDef = {
    ...(given as unknown as RelationDef),
    source_key: typeof raw.source_key === 'string' ? raw.source_key : source.primary_key.field,
    target_key: typeof raw.target_key === 'string' ? raw.target_key : (type === 'many_to_many' ? target.primary_key.field : `${source.name}_id`),
    ownership: (raw.ownership as RelationDef['ownership']) ?? 'source',
    on_delete: (raw.on_delete as RelationDef['on_delete']) ?? (type === 'many_to_many' ? 'detach' : 'restrict'),
    fetch: (raw.fetch as RelationDef['fetch']) ?? 'lazy',
    write_mode: (raw.write_mode as RelationDef['write_mode']) ?? 'diff'
  }
  checkKeys(def, source, target, add)
  if (type === 'many_to_many') checkJoinTable(def, raw, entities, others, add)
  else if (def.on_delete === 'detach') add('on_delete', 'detach applies to many_to_many relations only', 'enum')
  checkNames(def, source, target, others, add)
  if (errors.length > 0) throw validationFailed('Invalid relation definition', errors)
  return def
}

function checkKeys (def: RelationDef, source: EntityDef, target: EntityDef, add: (f: string, m: string, r?: string) => void): void {
  const sFam = keyFamily(source, def.source_key)
  const tFam = keyFamily(target, def.target_key)
  if (sFam === null) add('source_key', `source_key '${def.source_key}' is not a field of ${source.name}`, 'exists')
  if (tFam === null) add('target_key', `target_key '${def.target_key}' is not a field of ${target.name}`, 'exists')
  // A many-to-many join table stores each key with its own type; only FK pairs must match.
  if (def.type !== 'many_to_many' && sFam !== null && tFam !== null && sFam !== tFam) add('target_key', `target_key type (${tFam}) does not match source_key type (${sFam})`, 'type')
  if (def.type !== 'many_to_many' && def.source_key !== source.primary_key.field &&
    source.fields.find((f) => f.name === def.source_key)?.unique !== true) {
    add('source_key', 'source_key must be the primary key or a unique field', 'unique')
  }
}

function checkJoinTable (def: RelationDef, raw: Raw, entities: Map<string, EntityDef>, others: RelationDef[], add: (f: string, m: string, r?: string) => void): void {
  def.join_table = typeof raw.join_table === 'string' ? raw.join_table : def.name
  def.source_join_key = typeof raw.source_join_key === 'string' ? raw.source_join_key : `${def.source}_id`
  def.target_join_key = typeof raw.target_join_key === 'string' ? raw.target_join_key : `${def.target}_id`
  // Derived names may outgrow the pattern the given ones were checked against.
  for (const k of ['join_table', 'source_join_key', 'target_join_key'] as const) {
    if (!NAME_RE.test(def[k] as string)) add(k, `${k} must match ${NAME_PATTERN}`, 'pattern')
  }
  if (NAME_RE.test(def.join_table) && isSystemCatalogName(def.join_table)) {
    add('join_table', `join_table '${def.join_table}' is reserved: names starting with pg_ belong to PostgreSQL's catalogs`, 'reserved')
  }
  if (def.source_join_key === def.target_join_key) add('target_join_key', 'join keys must differ', 'unique')
  if ([...entities.values()].some((e) => e.table === def.join_table)) add('join_table', `join_table '${String(def.join_table)}' is an entity table`, 'unique')
  if (others.some((r) => r.type === 'many_to_many' && r.join_table === def.join_table)) add('join_table', `join_table '${String(def.join_table)}' is used by another relation`, 'unique')
}

/** The edge names a relation adds must not clash with fields or other edges of either entity. */
function checkNames (def: RelationDef, source: EntityDef, target: EntityDef, others: RelationDef[], add: (f: string, m: string, r?: string) => void): void {
  if (others.some((r) => r.name === def.name)) add('name', `relation '${def.name}' already exists`, 'unique')
  const used = (entity: string): Set<string> => {
    const names = new Set<string>()
    for (const r of others) {
      if (r.source === entity) names.add(r.name)
      if (r.target === entity) names.add(r.inverse_name ?? r.name)
    }
    return names
  }
  if (source.fields.some((f) => f.name === def.name)) add('name', `'${def.name}' is already a field of ${source.name}`, 'unique')
  else if (used(source.name).has(def.name)) add('name', `${source.name} already has a relation named '${def.name}'`, 'unique')
  const inverse = def.inverse_name ?? def.name
  if (source.name === target.name && inverse === def.name) return
  if (target.fields.some((f) => f.name === inverse)) add(def.inverse_name !== undefined ? 'inverse_name' : 'name', `'${inverse}' is already a field of ${target.name}`, 'unique')
  else if (used(target.name).has(inverse)) add(def.inverse_name !== undefined ? 'inverse_name' : 'name', `${target.name} already has a relation named '${inverse}'`, 'unique')
}
