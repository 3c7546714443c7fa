import { session, setSession, sessionFromTokens, type Session } from '../state/session.js'
import { minLsnHeaders, rememberCommit } from './read-your-writes.js'
import type { DataEnvelope, ErrorDetail, ErrorEnvelope, Tokens } from './types.js'

const BASE = '/api'

/** An error answer of the API in its envelope (`{error: {code, message, details}}`), or a network failure. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: ErrorDetail[]

  constructor (status: number, code: string, message: string, details: ErrorDetail[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }
}

export type Query = Record<string, string | number | boolean | undefined>

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** JSON body, or FormData for uploads. */
  body?: unknown
  query?: Query
  /** Send without the bearer token (login). */
  anonymous?: boolean
}

function url (path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v))
  const qs = params.toString()
  return `${BASE}${path}${qs === '' ? '' : `?${qs}`}`
}

function isEnvelope (v: unknown): v is ErrorEnvelope {
  const e = (v as Partial<ErrorEnvelope> | null)?.error
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string'
}

async function toError (res: Response): Promise<ApiError> {
  const body: unknown = await res.json().catch(() => null)
  if (isEnvelope(body)) return new ApiError(res.status, body.error.code, body.error.message, body.error.details ?? [])
  return new ApiError(res.status, 'HTTP_ERROR', `${res.status} ${res.statusText}`)
}

async function send (path: string, opts: RequestOptions, token: string | null): Promise<Response> {
  const method = opts.method ?? 'GET'
  const headers: Record<string, string> = { accept: 'application/json', ...(method === 'GET' ? minLsnHeaders(path) : {}) }
  if (token !== null) headers.authorization = `Bearer ${token}`
  let body: BodyInit | undefined
  if (opts.body instanceof FormData) body = opts.body
  else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  const res = await fetch(url(path, opts.query), { method, headers, ...(body !== undefined ? { body } : {}) })
  rememberCommit(path, res.headers)
  return res
}

function refreshPath (s: Session): string {
  return s.scope === 'platform' ? '/_platform/auth/refresh' : `/${s.app ?? ''}/auth/refresh`
}

// Refresh tokens rotate (reusing an old one revokes the family), so concurrent 401s share one refresh.
let refreshing: Promise<Session | null> | null = null

async function refreshOnce (s: Session): Promise<Session | null> {
  refreshing ??= (async () => {
    try {
      const res = await send(refreshPath(s), { method: 'POST', body: { refresh_token: s.refreshToken } }, null)
      if (!res.ok) return null
      const tokens = (await res.json() as DataEnvelope<Tokens>).data
      const next = sessionFromTokens(s.scope, s.app, tokens)
      setSession(next)
      return next
    } catch {
      return null
    } finally {
      refreshing = null
    }
  })()
  return await refreshing
}

/** Sends a request and returns the raw response, refreshing the access token once on a 401. */
export async function request (path: string, opts: RequestOptions = {}): Promise<Response> {
  let current = opts.anonymous === true ? null : session()
  let res: Response
  try {
    res = await send(path, opts, current?.accessToken ?? null)
    if (res.status === 401 && current !== null) {
      // Another request may have refreshed already: retry with the newer token first.
      const latest = session()
      current = latest !== null && latest.accessToken !== current.accessToken ? latest : await refreshOnce(current)
      if (current === null) {
        setSession(null)
        throw new ApiError(401, 'UNAUTHORIZED', 'Your session has expired: please sign in again')
      }
      res = await send(path, opts, current.accessToken)
    }
  } catch (err) {
    if (err instanceof ApiError) throw err
    throw new ApiError(0, 'NETWORK_ERROR', 'The server could not be reached')
  }
  if (!res.ok) throw await toError(res)
  return res
}

/** JSON request; answers the parsed body (an envelope). Errors throw ApiError. */
export async function api<T> (path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await request(path, opts)
  return await res.json() as T
}

/** `{data}` of a JSON answer. */
export async function apiData<T> (path: string, opts: RequestOptions = {}): Promise<T> {
  return (await api<DataEnvelope<T>>(path, opts)).data
}
