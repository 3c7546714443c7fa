import type { RelationDef } from '../../api/types.js'

/** One direction of a relation as seen from an entity (the engine's RelationEdge, lib/metadata/compiled.ts). */
export interface Edge {
  /** Key in `include=` and in nested write payloads. */
  name: string
  kind: 'has_many' | 'has_one' | 'belongs_to' | 'many_to_many'
  /** The entity on the other side. */
  to: string
  /** Field of this entity the edge joins on. */
  localKey: string
  /** Field of the other entity the edge joins on (the FK for has_many/has_one, the linked key for many_to_many). */
  remoteKey: string
}

/** The edges an entity has, both directions, named as the engine names them. */
export function edgesOf (entity: string, relations: readonly RelationDef[]): Edge[] {
  const out: Edge[] = []
  for (const r of relations) {
    const inverse = r.inverse_name ?? r.name
    const selfSameName = r.source === r.target && inverse === r.name
    if (r.type === 'many_to_many') {
      if (r.source === entity) out.push({ name: r.name, kind: 'many_to_many', to: r.target, localKey: r.source_key, remoteKey: r.target_key })
      if (r.target === entity && !selfSameName) out.push({ name: inverse, kind: 'many_to_many', to: r.source, localKey: r.target_key, remoteKey: r.source_key })
      continue
    }
    if (r.source === entity) out.push({ name: r.name, kind: r.type === 'one_to_one' ? 'has_one' : 'has_many', to: r.target, localKey: r.source_key, remoteKey: r.target_key })
    if (r.target === entity && !selfSameName) out.push({ name: inverse, kind: 'belongs_to', to: r.source, localKey: r.target_key, remoteKey: r.source_key })
  }
  return out
}

export const isToMany = (e: Edge): boolean => e.kind === 'has_many' || e.kind === 'many_to_many'
