import t from 'tap'
import { build, createTestApp } from '../helper.js'
import { deref, fetchDocument, installSchema, loadExamples, type Json, type Schema } from './openapi-sample.js'

type Op = Json & { operationId: string, requestBody?: Json, responses: Record<string, Json> }

const SHAPE_KEYS = ['properties', 'additionalProperties', 'patternProperties', 'items', 'prefixItems', 'anyOf', 'oneOf', 'allOf', 'const', 'enum', 'type']

/**
 * Why a schema says nothing about what travels (docs/ARCHITECTURE.md, "Route schemas"), or null:
 * an empty schema, a bare `{type: object}` (no keys, no declared openness), or an envelope whose
 * `data` is one of those.
 */
function placeholder (doc: Json, raw: Schema | undefined): string | null {
  if (raw === undefined) return 'no schema'
  const s = deref(doc, raw)
  if (!SHAPE_KEYS.some((k) => k in s)) return 'an empty schema'
  if (s.type === 'object' && !['properties', 'additionalProperties', 'patternProperties', 'anyOf', 'oneOf', 'allOf'].some((k) => k in s)) return 'a bare {type: object}'
  const data = (s.properties as Record<string, Schema> | undefined)?.data
  if (data !== undefined) {
    const inner = placeholder(doc, data)
    if (inner !== null) return `data is ${inner}`
  }
  return null
}

function jsonSchemaOf (content: Json | undefined): Schema | undefined {
  const media = content === undefined ? undefined : Object.values(content)[0] as Json | undefined
  return media?.schema as Schema | undefined
}

t.test('every documented system operation describes its request and its answer (no placeholder)', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'oasys')
  const [example] = loadExamples()
  if (example === undefined) throw new Error('no example schema')
  await installSchema(a, example)
  const doc = await fetchDocument(a)
  const entityTags = new Set(example.entities.map((e) => e.name as string))
  let checked = 0
  const operationIds = new Set<string>()
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Op>>)) {
    for (const [method, op] of Object.entries(item)) {
      if ((op.tags as string[] | undefined)?.some((tag) => entityTags.has(tag)) === true) continue
      checked++
      const label = `${method.toUpperCase()} ${path} (${op.operationId})`
      // Client generators name methods after operationId: a declared one stays put when a path changes.
      t.notOk(op.operationId.startsWith('route_'), `${label}: declares a stable operationId`)
      t.notOk(operationIds.has(op.operationId), `${label}: operationId is unique`)
      operationIds.add(op.operationId)
      if (op.requestBody !== undefined) {
        const content = op.requestBody.content as Json
        if (!('multipart/form-data' in content)) t.equal(placeholder(doc, jsonSchemaOf(content)), null, `${label}: request body`)
      }
      const success = Object.entries(op.responses).filter(([status]) => /^2/.test(status))
      const redirects = Object.keys(op.responses).filter((status) => /^3/.test(status))
      t.ok(success.length + redirects.length > 0, `${label}: declares its success status`)
      for (const [status, response] of success) {
        const content = response.content as Json | undefined
        if (content === undefined) continue
        if ('application/json' in content) t.equal(placeholder(doc, jsonSchemaOf(content)), null, `${label}: ${status} answer`)
      }
    }
  }
  t.ok(checked > 60, `${checked} system operations checked`)
})
