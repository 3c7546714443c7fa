import type { AppContext } from '../apps/context.js'
import { didYouMean } from '../errors.js'
import type { Registry } from '../metadata/registry.js'
import { Problems } from '../rules/problems.js'
import type { WebhookRuntime } from './runtime.js'
import type { CompiledWebhook, WebhookDef, WebhookHook } from './types.js'

/** Key of the module's entry in `registry.extensions`. */
export const WEBHOOKS = 'webhooks'

/** What the webhook module keeps per registry version. */
export interface CompiledWebhooks {
  app: AppContext
  /** The delivery machinery of the server that compiled this registry. */
  runtime: WebhookRuntime
  /** entity → hook → active webhooks, oldest first (no key string built per lookup: several per written record). */
  byEntity: Map<string, Map<WebhookHook, CompiledWebhook[]>>
  /** Active webhooks that no longer fit the metadata (entity deleted…): not called. */
  skipped: Array<{ id: string, message: string }>
}

/** The compiled webhooks of a registry, or undefined before the module loaded into it. */
export function webhooksOf (registry: Registry): CompiledWebhooks | undefined {
  return registry.extensions.get(WEBHOOKS) as CompiledWebhooks | undefined
}

const NONE: readonly CompiledWebhook[] = Object.freeze([])

/** The active webhooks of one entity and hook (empty list when none: the common case stays cheap). */
export function webhooksFor (registry: Registry, entity: string, hook: WebhookHook): readonly CompiledWebhook[] {
  return webhooksOf(registry)?.byEntity.get(entity)?.get(hook) ?? NONE
}

/**
 * Checks a webhook against the metadata (its entity exists, its condition parses — a syntax
 * error recorded with its position) and compiles it. Null when `problems` got anything.
 */
export function compileWebhook (def: WebhookDef & { id: string }, registry: Registry, problems: Problems): CompiledWebhook | null {
  if (!registry.entities.has(def.entity)) {
    problems.add('entity', 'exists', `Unknown entity '${def.entity}'${didYouMean(def.entity, registry.entities.keys())}`)
  }
  const condition = def.condition === null ? null : problems.expression('condition', def.condition)
  if (problems.any) return null
  return {
    id: def.id,
    entity: def.entity,
    hook: def.hook,
    url: def.url,
    method: def.method,
    headers: Object.freeze({ ...def.headers }),
    condition,
    async: def.async,
    retry: def.retry,
    timeoutMs: def.timeout_ms,
    secret: def.secret
  }
}

/** Compiles every active webhook for a registry version; those that no longer fit are skipped. */
export function compileWebhooks (
  rows: ReadonlyArray<WebhookDef & { id: string }>, ctx: { app: AppContext, runtime: WebhookRuntime, registry: Registry }
): CompiledWebhooks {
  const byEntity = new Map<string, Map<WebhookHook, CompiledWebhook[]>>()
  const skipped: CompiledWebhooks['skipped'] = []
  for (const row of rows) {
    const problems = new Problems()
    const compiled = compileWebhook(row, ctx.registry, problems)
    if (compiled === null) {
      skipped.push({ id: row.id, message: problems.details.map((d) => d.message).join('; ') })
      continue
    }
    let hooks = byEntity.get(compiled.entity)
    if (hooks === undefined) { hooks = new Map(); byEntity.set(compiled.entity, hooks) }
    const list = hooks.get(compiled.hook) ?? []
    list.push(compiled)
    hooks.set(compiled.hook, list)
  }
  return { app: ctx.app, runtime: ctx.runtime, byEntity, skipped }
}
