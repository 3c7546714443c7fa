import { hash } from 'node:crypto'

/**
 * Weak ETags of records (docs/QUERYING.md): `W/"<row version>.<body hash>"`. The row version
 * (`xmin`) changes whenever the record is written, the hash covers the representation (field
 * selection, included rows). `If-Match` on a write compares the row version only.
 */

export function etagOf (version: string, body: string): string {
  // One-shot `hash` (every GET by id): a third of the cost of a `createHash` object.
  const tag = hash('sha1', body, 'base64url').slice(0, 12)
  return `W/"${version}.${tag}"`
}

function tagsOf (header: string): string[] {
  return header.split(',').map((t) => t.trim()).filter((t) => t !== '')
}

function opaque (tag: string): string {
  const bare = tag.startsWith('W/') ? tag.slice(2) : tag
  return bare.startsWith('"') && bare.endsWith('"') && bare.length >= 2 ? bare.slice(1, -1) : bare
}

/** `If-None-Match` (weak comparison): true when the client's copy is current. */
export function noneMatchHits (header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const mine = opaque(etag)
  return tagsOf(header).some((t) => t === '*' || opaque(t) === mine)
}

/**
 * The row versions an `If-Match` header accepts; `'*'` for any existing record, undefined
 * without a header.
 */
export function ifMatchVersions (header: string | undefined): ReadonlySet<string> | '*' | undefined {
  if (header === undefined) return undefined
  const tags = tagsOf(header)
  if (tags.includes('*')) return '*'
  return new Set(tags.map((t) => opaque(t).split('.')[0] as string))
}
