/**
 * `invoice_item` → `InvoiceItem`. Injective on metadata names (`^[a-z][a-z0-9_]*$`): an
 * underscore is dropped only before a letter, which then becomes the only kind of uppercase
 * letter after the first, so two names never map to the same result.
 */
export function pascalCase (name: string): string {
  const camel = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
  return camel.charAt(0).toUpperCase() + camel.slice(1)
}

/** `$ref` to a component schema. */
export function schemaRef (name: string): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` }
}

/** Roles of the component schemas generated per entity. */
export type EntityRole = 'record' | 'create' | 'update' | 'list'

const ROLE_SUFFIX: Record<EntityRole, string> = { record: '', create: 'Create', update: 'Update', list: 'List' }

/**
 * Allocates component names without collisions. Entity `invoice` gets `Invoice`,
 * `InvoiceCreate`, `InvoiceUpdate`, `InvoiceList`; a name already taken (entity
 * `invoice_create`, or the shared `Error`) gets a `_2`, `_3` suffix. Allocation order is fixed
 * (shared names, then every entity's record name, then the derived names, entities sorted), so
 * names are stable for a given set of entities and relations.
 */
export class ComponentNames {
  private readonly taken = new Set<string>()
  private readonly byKey = new Map<string, string>()

  constructor (reserved: Iterable<string>) {
    for (const name of reserved) this.taken.add(name)
  }

  private allocate (key: string, wanted: string): string {
    let name = wanted
    for (let n = 2; this.taken.has(name); n++) name = `${wanted}_${n}`
    this.taken.add(name)
    this.byKey.set(key, name)
    return name
  }

  /** Allocates every entity's names (record names first, so they keep the plain form). */
  allocateEntities (entities: readonly string[], edges: ReadonlyArray<{ entity: string, edge: string }>): void {
    const sorted = [...entities].sort()
    for (const e of sorted) this.allocate(`${e}:record`, pascalCase(e))
    for (const role of ['create', 'update', 'list'] as const) {
      for (const e of sorted) this.allocate(`${e}:${role}`, pascalCase(e) + ROLE_SUFFIX[role])
    }
    const sortedEdges = [...edges].sort((a, b) => `${a.entity}.${a.edge}`.localeCompare(`${b.entity}.${b.edge}`))
    for (const { entity, edge } of sortedEdges) this.allocate(`${entity}>${edge}`, `${pascalCase(entity)}${pascalCase(edge)}Write`)
  }

  /** Component name of an entity's schema in a role. */
  entity (entity: string, role: EntityRole): string {
    return this.get(`${entity}:${role}`)
  }

  /** Component name of the nested-write payload of an entity's relation edge. */
  edgeWrite (entity: string, edge: string): string {
    return this.get(`${entity}>${edge}`)
  }

  private get (key: string): string {
    const name = this.byKey.get(key)
    if (name === undefined) throw new Error(`no component name allocated for ${key}`)
    return name
  }
}
