import { session } from '../state/session.js'

/** The realtime stream's URL for some entities (docs/reference.md "Realtime"): EventSource sends no headers, so the token rides in the query. */
export function realtimeUrl (app: string, entities: readonly string[], token: string): string {
  const q = new URLSearchParams({ entities: entities.join(','), access_token: token })
  return `/api/${encodeURIComponent(app)}/_realtime?${q.toString()}`
}

export type LiveStatus = 'connecting' | 'live' | 'offline'

/**
 * Follows the changes of some entities: `onChange` per create/update/delete event. EventSource
 * reconnects by itself (sending Last-Event-ID); when the server ends the stream for good
 * (auth_expired, overflow, reset, reconnect) a new one is opened after `retryMs` with the
 * session's current token (`beforeReopen` may refresh it first). Returns the stop function.
 */
export function followChanges (opts: {
  app: string
  entities: readonly string[]
  onChange: (event: { action: string, id: unknown }) => void
  onStatus?: (status: LiveStatus) => void
  beforeReopen?: () => Promise<void>
  retryMs?: number
}): () => void {
  let source: EventSource | null = null
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | null = null
  const status = (s: LiveStatus): void => { opts.onStatus?.(s) }

  const reopen = (): void => {
    source?.close()
    source = null
    status('offline')
    if (stopped || timer !== null) return
    timer = setTimeout(() => {
      timer = null
      void (opts.beforeReopen?.() ?? Promise.resolve()).catch(() => {}).then(open)
    }, opts.retryMs ?? 1000)
  }

  const open = (): void => {
    const token = session()?.accessToken
    if (stopped || token === undefined) return
    status('connecting')
    const es = new EventSource(realtimeUrl(opts.app, opts.entities, token))
    source = es
    es.onopen = () => { status('live') }
    for (const action of ['create', 'update', 'delete']) {
      es.addEventListener(action, (e) => {
        const data = JSON.parse((e as MessageEvent<string>).data) as { id: unknown }
        opts.onChange({ action, id: data.id })
      })
    }
    // A reset means changes were missed: the caller reloads; the stream itself goes on.
    es.addEventListener('reset', () => { opts.onChange({ action: 'reset', id: null }) })
    for (const end of ['auth_expired', 'overflow', 'reconnect']) es.addEventListener(end, reopen)
    es.onerror = () => { if (es.readyState === EventSource.CLOSED) reopen() }
  }

  open()
  return () => {
    stopped = true
    if (timer !== null) clearTimeout(timer)
    source?.close()
  }
}
