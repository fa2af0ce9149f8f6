// The one way the app talks to the server: same-origin fetch with the session cookie,
// the CSRF header on writes (double-submit: the server set `bole_csrf`), the UI language
// as Accept-Language, and every non-2xx answer turned into an ApiError that carries the
// server's stable code, its message (already in the user's language) and field errors.
import type { components } from './schema'

export type Schemas = components['schemas']

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: Record<string, string[]>
  constructor(status: number, code: string, message: string, fields: Record<string, string[]> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
  }
}

let language = 'zh-CN'
/** Called by the i18n setup: server messages follow the UI language. */
export function setApiLanguage(lang: string) {
  language = lang
}

/** Called when any request answers 401: the session is gone (expired, revoked). */
let onUnauthenticated: (() => void) | null = null
export function setUnauthenticatedHandler(f: () => void) {
  onUnauthenticated = f
}

function csrfToken(): string | null {
  const m = document.cookie.match(/(?:^|;\s*)bole_csrf=([^;]+)/)
  return m ? decodeURIComponent(m[1]) : null
}

export type Query = Record<string, string | number | boolean | null | undefined | string[]>

function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) v.forEach((x) => params.append(k, x))
    else params.append(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

interface Options {
  query?: Query
  body?: unknown
  /** Raw body (a file upload): sent as is with its own content type. */
  raw?: Blob
  rawType?: string
}

async function request(method: string, path: string, opts: Options = {}): Promise<Response> {
  const headers: Record<string, string> = { 'Accept-Language': language, Accept: 'application/json' }
  let body: BodyInit | undefined
  if (opts.raw) {
    body = opts.raw
    headers['Content-Type'] = opts.rawType ?? 'application/octet-stream'
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body)
    headers['Content-Type'] = 'application/json'
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = csrfToken()
    if (csrf) headers['X-CSRF-Token'] = csrf
  }
  let res: Response
  try {
    res = await fetch(withQuery(`/api/v1${path}`, opts.query), { method, headers, body, credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, 'network_error', language.startsWith('zh') ? '无法连接服务器，请检查网络后重试。' : 'Cannot reach the server; check the network and try again.')
  }
  if (!res.ok) {
    let code = 'http_' + res.status
    let message = res.statusText
    let fields: Record<string, string[]> = {}
    try {
      const env = (await res.json()) as { error?: { code: string; message: string; fields?: Record<string, string[]> } }
      if (env.error) {
        code = env.error.code
        message = env.error.message
        fields = env.error.fields ?? {}
      }
    } catch {
      /* not an envelope (a proxy's page): keep the status text */
    }
    if (res.status === 401 && onUnauthenticated && !path.startsWith('/auth/login')) onUnauthenticated()
    throw new ApiError(res.status, code, message, fields)
  }
  return res
}

async function json<T>(method: string, path: string, opts?: Options): Promise<T> {
  const res = await request(method, path, opts)
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const api = {
  get: <T>(path: string, query?: Query) => json<T>('GET', path, { query }),
  post: <T>(path: string, body?: unknown, query?: Query) => json<T>('POST', path, { body: body ?? {}, query }),
  put: <T>(path: string, body?: unknown) => json<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => json<T>('PATCH', path, { body }),
  del: <T>(path: string) => json<T>('DELETE', path),
  /** Upload a file as the request body (roster import). */
  upload: <T>(path: string, file: Blob, query?: Query) =>
    json<T>('POST', path, { raw: file, rawType: file.type || 'application/octet-stream', query }),
  /** Download a file (exports): fetched with the session, saved through a blob: URL. */
  async download(path: string, query: Query | undefined, fallbackName: string): Promise<void> {
    const res = await request('GET', path, { query })
    const blob = await res.blob()
    const cd = res.headers.get('content-disposition') ?? ''
    const m = cd.match(/filename\*=UTF-8''([^;]+)/i) ?? cd.match(/filename="?([^";]+)"?/i)
    const name = m ? decodeURIComponent(m[1]) : fallbackName
    const url = URL.createObjectURL(blob)
    const a = document.createElement('a')
    a.href = url
    a.download = name
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  },
}

/** A message for a caught error, whatever threw it. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message
  if (e instanceof Error) return e.message
  return String(e)
}
