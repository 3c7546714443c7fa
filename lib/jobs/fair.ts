/**
 * Fair turns over apps for the background jobs (docs/security.md, "Fairness, limits and
 * quotas"): each pass starts one app further along, so when a shared budget runs out mid-pass
 * it is never the same apps, late in a fixed order, that wait.
 */
export class RoundRobin {
  private next = 0

  /** `items` starting at this pass's turn; the following call starts one further. */
  order<T> (items: readonly T[]): T[] {
    if (items.length === 0) return []
    const start = this.next % items.length
    this.next = (start + 1) % items.length
    return [...items.slice(start), ...items.slice(0, start)]
  }
}

/** Runs `work` over `items` with at most `limit` of them under way at once. */
export async function forEachLimited<T> (items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let index = 0
  const lane = async (): Promise<void> => {
    while (index < items.length) {
      const item = items[index++] as T
      await work(item)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane))
}
