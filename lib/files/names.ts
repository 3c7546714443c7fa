const MAX_FILENAME = 255
const MIME_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/
const FALLBACK_MIME = 'application/octet-stream'

// Types a browser would run as a document with scripts (HTML, SVG, XML): served inline from
// the API's origin they could act with the viewer's session, so they are only downloaded.
const ACTIVE_TYPES = /^(text\/html|text\/xml|application\/xml|application\/xhtml\+xml|image\/svg\+xml|text\/javascript|application\/javascript)$|\+xml$/

/**
 * The name an upload is stored under: no directory part, no control characters, at most 255
 * characters; `file` when nothing is left. The name is only ever shown, never used as a path.
 */
export function sanitizeFilename (name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim()
  return clean === '' ? 'file' : [...clean].slice(0, MAX_FILENAME).join('')
}

/** The client-declared media type when it is well formed, else `application/octet-stream`. */
export function normalizeMimeType (type: string | undefined): string {
  const t = (type ?? '').trim().toLowerCase()
  return MIME_RE.test(t) ? t : FALLBACK_MIME
}

/**
 * `Content-Disposition` for serving a file: `inline` (attachment for active document types),
 * an ASCII fallback `filename` and the exact name as RFC 5987 `filename*`.
 */
export function contentDisposition (filename: string, mimeType: string): string {
  const disposition = ACTIVE_TYPES.test(mimeType) ? 'attachment' : 'inline'
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  // encodeURIComponent leaves ' ( ) * unescaped, which RFC 5987's attr-char does not allow.
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
