/** PostgreSQL WAL positions (`pg_lsn` text: two hex numbers, e.g. `0/16B3748`) as comparable bigints. */

const LSN_RE = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/

/** The position a `pg_lsn` text denotes, or null when it is not one. */
export function parseLsn (text: string): bigint | null {
  const m = LSN_RE.exec(text)
  if (m === null) return null
  return (BigInt(`0x${m[1] as string}`) << 32n) | BigInt(`0x${m[2] as string}`)
}

export function formatLsn (lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xFFFFFFFFn).toString(16).toUpperCase()}`
}
