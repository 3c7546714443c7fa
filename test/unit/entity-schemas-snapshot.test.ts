import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { PROJECT_ROOT } from '../../lib/project-root.js'
import { FIELD_TYPES } from '../../lib/metadata/types.js'
import { validateEntityDef } from '../../lib/metadata/validate-entity.js'
import { entityJsonSchemas } from '../../lib/schema/entity-schemas.js'

// The create/update/output JSON Schemas are what Ajv, fast-json-stringify and the OpenAPI
// document all use: a change here changes the API contract. Review a snapshot diff as a
// contract change, then regenerate with `TAP_SNAPSHOT=1 npx tap test/unit/entity-schemas-snapshot.test.ts`.
// The expected schemas are plain JSON beside this file, not a tap snapshot: tap keys snapshots by
// the test file's path, and `npm test` runs this file compiled, from another path (test/build.js).
const EXPECTED = path.join(PROJECT_ROOT, 'test', 'unit', 'entity-schemas.snapshot.json')

const definition = {
  name: 'specimen',
  table: 'specimens',
  soft_delete: true,
  slug: { field: 'slug', source: 'title' },
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'title', type: 'string', required: true, max_length: 120 },
    { name: 'slug', type: 'string', unique: true },
    { name: 'status', type: 'string', enum: ['draft', 'published'], default: 'draft' },
    { name: 'rating', type: 'string', enum: ['low', 'high'] },
    { name: 'body', type: 'text' },
    { name: 'views', type: 'int', default: 0, nullable: false },
    { name: 'big_count', type: 'bigint' },
    { name: 'price', type: 'decimal', precision: 10, scale: 2, required: true },
    { name: 'published', type: 'boolean' },
    { name: 'owner_id', type: 'uuid' },
    { name: 'happens_at', type: 'timestamp' },
    { name: 'due_on', type: 'date' },
    { name: 'attributes', type: 'json' },
    { name: 'cover', type: 'file' },
    { name: 'created_at', type: 'timestamp', auto: 'create' },
    { name: 'updated_at', type: 'timestamp', auto: 'update' }
  ]
}

t.test('entityJsonSchemas of an entity with every field type', async (t) => {
  const entity = validateEntityDef(definition)
  const used = new Set(entity.fields.map((f) => f.type))
  for (const type of FIELD_TYPES) t.ok(used.has(type), `the specimen has a ${type} field (add one when a type is added)`)
  // Through JSON: the file holds what a serialization of the schemas holds.
  const actual: unknown = JSON.parse(JSON.stringify(entityJsonSchemas(entity)))
  if (process.env.TAP_SNAPSHOT === '1') writeFileSync(EXPECTED, JSON.stringify(actual, null, 2) + '\n')
  t.same(actual, JSON.parse(readFileSync(EXPECTED, 'utf8')), 'create, update and output schemas')
})
