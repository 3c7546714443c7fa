/**
 * A small least-recently-used map: query plans and serializers are cached per compiled
 * entity, and clients choose the keys (field sets, filter paths), so every cache is bounded.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>()

  constructor (private readonly max: number) {}

  get (key: K): V | undefined {
    const v = this.map.get(key)
    if (v === undefined) return undefined
    // Map keeps insertion order: re-inserting marks the entry as the most recent.
    this.map.delete(key)
    this.map.set(key, v)
    return v
  }

  set (key: K, value: V): void {
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K)
  }

  get size (): number {
    return this.map.size
  }
}

/** `cache.get(key)`, or `make()` stored under it. */
export function cached<K, V> (cache: Lru<K, V>, key: K, make: () => V): V {
  let v = cache.get(key)
  if (v === undefined) {
    v = make()
    cache.set(key, v)
  }
  return v
}

/** One bounded cache per (immutable, per metadata version) owner object. */
export function perOwner<O extends object, K, V> (max: number): (owner: O) => Lru<K, V> {
  const caches = new WeakMap<O, Lru<K, V>>()
  return (owner) => {
    let c = caches.get(owner)
    if (c === undefined) {
      c = new Lru<K, V>(max)
      caches.set(owner, c)
    }
    return c
  }
}
