import { createPermission, loadPermissions } from '../permissions/store.js'
import { PERMISSION_ITEM } from '../permissions/schemas.js'
import type { PermissionInput } from '../permissions/types.js'
import { validatePermission } from '../permissions/validate.js'
import { createRule, listRules } from '../rules/admin.js'
import { isObject, Problems } from '../rules/problems.js'
import { RULE_ITEM } from '../rules/schemas.js'
import type { RuleDef } from '../rules/types.js'
import { parseRuleBody } from '../rules/validate.js'
import { documentItem } from '../schema/route-schemas.js'
import { createMachine, listMachines } from '../state-machines/admin.js'
import { MACHINE_ITEM } from '../state-machines/schemas.js'
import type { MachineDef } from '../state-machines/types.js'
import { parseMachineBody } from '../state-machines/validate.js'
import { insertUiConfig, listUiConfigs } from '../ui-configs/store.js'
import { UI_CONFIG_ITEM } from '../ui-configs/schemas.js'
import { parseUiConfig, type UiConfigInput } from '../ui-configs/validate.js'
import { createWebhook } from '../webhooks/admin.js'
import { webhooksOf } from '../webhooks/compile.js'
import { WEBHOOK_ITEM } from '../webhooks/schemas.js'
import { PUBLIC_ONLY } from '../webhooks/ssrf.js'
import { listWebhookRows } from '../webhooks/store.js'
import type { WebhookDef } from '../webhooks/types.js'
import { parseWebhookBody } from '../webhooks/validate.js'
import { canonicalJson } from './canonical.js'
import { contentKind } from './content-kind.js'
import type { Item, SchemaKind } from './types.js'

const text = (v: unknown): string => (typeof v === 'string' ? v : '?')

/**
 * Identity of an item that has no natural key: its content except `active`, so that an item
 * an admin deactivated after an import is not created again (active) by the next import.
 */
const allButActive = (item: { active: boolean }): string => canonicalJson({ ...item, active: undefined })

/** Shape check of a body through a `Problems`-based parser: the 422 the admin API would answer. */
function parsed<T> (what: string, parse: (problems: Problems) => T | null): T {
  const problems = new Problems()
  const out = parse(problems)
  problems.throwIfAny(what)
  return out as T
}

function ruleLabel (item: Item): string {
  const def = isObject(item.definition) ? item.definition : {}
  const detail = typeof def.field === 'string' ? def.field : typeof def.expression === 'string' ? def.expression.slice(0, 60) : text(item.type)
  return `${text(item.entity)}: ${detail}`
}

/** `rules`: no natural key: identical rules are skipped, one differing only in `active` too, any other rule is added. */
export const rulesKind: SchemaKind = contentKind<RuleDef>({
  key: 'rules',
  item: documentItem(RULE_ITEM),
  label: ruleLabel,
  list: async (app) => (await listRules(app)).map((r) => ({
    entity: r.entity, hook: r.hook, type: r.type, definition: r.definition, priority: r.priority, active: r.active
  })),
  normalize: (_app, item) => parsed('rule', (p) => parseRuleBody(item, p)),
  identity: allButActive,
  create: async (app, item) => await createRule(app, item)
})

/**
 * `state_machines`: identified by content except `active`. A different machine for a field that
 * has an active one is refused by the service (409, one active machine per field) and reported.
 */
export const stateMachinesKind: SchemaKind = contentKind<MachineDef>({
  key: 'state_machines',
  item: documentItem(MACHINE_ITEM),
  label: (item) => `${text(item.entity)}.${text(item.field)}`,
  list: async (app) => (await listMachines(app)).map((m) => ({ entity: m.entity, field: m.field, definition: m.definition, active: m.active })),
  normalize: (_app, item) => parsed('state machine', (p) => parseMachineBody(item, p)),
  identity: allButActive,
  create: async (app, item) => await createMachine(app, item)
})

/** `permissions`: content only (a second, different policy for the same entity and action is a policy of its own). */
export const permissionsKind: SchemaKind = contentKind<PermissionInput>({
  key: 'permissions',
  item: documentItem(PERMISSION_ITEM, { optional: ['fields'] }),
  label: (item) => `${text(item.entity)}: ${text(item.action)}`,
  list: async (app) => (await loadPermissions(app.sql)).map((p) => ({ entity: p.entity, action: p.action, roles: p.roles, conditions: p.conditions, ...(p.fields !== null && p.fields !== undefined ? { fields: p.fields } : {}) })),
  normalize: (app, item) => validatePermission(item, app.registry),
  // `fields: null` (every field) is left out of documents: an export without it compares equal.
  comparable: ({ fields, ...rest }) => (fields === null || fields === undefined ? rest : { ...rest, fields }),
  // The registry is rebuilt once after the import's metadata phase (see import.ts).
  create: async (app, item) => await createPermission(app, item)
})

type WebhookDoc = Omit<WebhookDef, 'secret'>

function withoutSecret (def: WebhookDef): WebhookDoc {
  const { secret: _secret, ...rest } = def
  return rest
}

/**
 * `webhooks`: exported without their secret (write-only) and compared without it, so a webhook
 * whose secret was set after an import is still "the same" on the next import; identified by
 * content except `active`, like rules.
 */
export const webhooksKind: SchemaKind = contentKind<WebhookDoc>({
  key: 'webhooks',
  item: documentItem(WEBHOOK_ITEM, { drop: ['has_secret'] }),
  label: (item) => `${text(item.entity)}: ${text(item.hook)} ${text(item.url)}`,
  list: async (app) => (await listWebhookRows(app.sql)).map((w) => ({
    entity: w.entity,
    hook: w.hook,
    url: w.url,
    method: w.method,
    headers: w.headers,
    condition: w.condition,
    async: w.async,
    retry: w.retry,
    timeout_ms: w.timeout_ms,
    active: w.active
  })),
  identity: allButActive,
  normalize: (app, item) => {
    const policy = webhooksOf(app.registry)?.runtime.settings ?? PUBLIC_ONLY
    return withoutSecret(parsed('webhook', (p) => parseWebhookBody(item, p, policy)))
  },
  create: async (app, item) => await createWebhook(app, item)
})

/** `ui_configs`: identified by entity and scope (unique together). */
export const uiConfigsKind: SchemaKind = contentKind<UiConfigInput>({
  key: 'ui_configs',
  item: documentItem(UI_CONFIG_ITEM),
  label: (item) => `${text(item.entity)}: ${typeof item.scope === 'string' ? item.scope : 'default'}`,
  list: async (app) => (await listUiConfigs(app.sql, {})).rows.map((c) => ({ entity: c.entity, scope: c.scope, config: c.config })),
  normalize: (app, item) => parseUiConfig(item, app.registry),
  identity: (c) => `${c.entity}\u0000${c.scope}`,
  create: async (app, item) => await insertUiConfig(app.sql, parseUiConfig(item, app.registry))
})
