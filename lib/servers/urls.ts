/** Shows a PostgreSQL URL without its secrets: the password and any `password`-like parameter become `***`. */
export function maskUrl (url: string): string {
  let u: URL
  try { u = new URL(url) } catch { return '***' }
  if (u.password !== '') u.password = '***'
  for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, '***')
  return u.toString()
}

/** `host:port` of a URL, for messages that must not carry its credentials. */
export function endpointOf (url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port === '' ? '5432' : u.port}`
  } catch { return 'an unparsable URL' }
}
