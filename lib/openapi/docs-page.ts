/**
 * The Swagger UI page of an app. The page itself is public; the document it shows needs a token
 * of the app, which the user pastes (or obtains by logging in here, as a user of the app or as a
 * platform user). The token is kept in
 * localStorage, used to fetch the document, pre-authorizes Swagger UI and is added to "Try it
 * out" requests by a request interceptor. Everything loads from this server (no CDN).
 */

/** Files of `swagger-ui-dist` the page uses, with their content types. */
export const SWAGGER_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-16x16.png': 'image/png',
  'favicon-32x32.png': 'image/png'
}

/** File name of the page's own script, served next to the Swagger UI assets. */
export const DOCS_SCRIPT_FILE = 'rocket-docs.js'

/**
 * Content-Security-Policy of the page: scripts only from this server (Swagger UI needs inline
 * styles and data: images for its icons).
 */
export const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"

function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** The HTML of `/api/<app>/_docs` (asset URLs are absolute, so `/_docs` and `/_docs/` both work). */
export function docsHtml (app: string): string {
  const a = escapeHtml(app)
  const assets = `/api/${a}/_docs`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${a} API docs (Rocket)</title>
<link rel="icon" type="image/png" sizes="32x32" href="${assets}/favicon-32x32.png">
<link rel="stylesheet" href="${assets}/swagger-ui.css">
<style>
body { margin: 0; font-family: sans-serif; }
#rocket-bar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 10px 20px; background: #1b1f24; color: #eee; }
#rocket-bar h1 { font-size: 18px; margin: 0 12px 0 0; }
#rocket-bar form { display: flex; gap: 6px; align-items: center; margin: 0; }
#rocket-bar input { padding: 6px 8px; border: 1px solid #555; border-radius: 4px; background: #2b3036; color: #eee; }
#rocket-bar input#token { width: 280px; }
#rocket-bar button { padding: 6px 12px; border: 0; border-radius: 4px; background: #49cc90; color: #10201a; font-weight: bold; cursor: pointer; }
#rocket-bar button.secondary { background: #555; color: #eee; }
#status { flex-basis: 100%; font-size: 13px; color: #9fd8bb; }
#status.error { color: #ff9b9b; }
</style>
</head>
<body>
<div id="rocket-docs" data-app="${a}">
<div id="rocket-bar">
<h1>${a} API</h1>
<form id="token-form" autocomplete="off">
<input id="token" type="password" placeholder="Paste an access token" aria-label="Access token">
<button id="use-token" type="submit">Authorize</button>
</form>
<form id="login-form">
<input id="email" type="email" placeholder="email" aria-label="Email" autocomplete="username">
<input id="password" type="password" placeholder="password" aria-label="Password" autocomplete="current-password">
<button id="login" type="submit">Log in</button>
</form>
<button id="forget" type="button" class="secondary">Forget token</button>
<div id="status" role="status"></div>
</div>
<div id="swagger-ui"></div>
</div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script src="${assets}/${DOCS_SCRIPT_FILE}"></script>
</body>
</html>
`
}

/** The page's script (plain ES2017 for the browser, no build step). */
export const DOCS_SCRIPT = `(function () {
  'use strict'
  var root = document.getElementById('rocket-docs')
  var base = '/api/' + root.getAttribute('data-app')
  var key = 'rocket.docs.token.' + root.getAttribute('data-app')
  var statusEl = document.getElementById('status')
  function stored () { try { return localStorage.getItem(key) || '' } catch (e) { return '' } }
  function store (token) {
    try { if (token) localStorage.setItem(key, token); else localStorage.removeItem(key) } catch (e) {}
  }
  function say (text, isError) { statusEl.textContent = text; statusEl.className = isError ? 'error' : '' }
  function render (spec, token) {
    var ui = window.SwaggerUIBundle({
      spec: spec,
      dom_id: '#swagger-ui',
      deepLinking: true,
      docExpansion: 'list',
      persistAuthorization: false,
      requestInterceptor: function (req) {
        var t = stored()
        if (t && !req.headers.Authorization) req.headers.Authorization = 'Bearer ' + t
        return req
      },
      onComplete: function () { ui.preauthorizeApiKey('bearerAuth', token) }
    })
  }
  function load () {
    var token = stored()
    if (!token) { say('Paste an access token of this app, or log in, to load its API description.'); return }
    say('Loading the API description...')
    fetch(base + '/_openapi.json', { headers: { Authorization: 'Bearer ' + token } }).then(function (res) {
      if (res.status === 401) { say('The token was refused (expired, or of another app): paste a new one or log in.', true); return null }
      if (!res.ok) { say('Could not load the API description (HTTP ' + res.status + ').', true); return null }
      return res.json()
    }).then(function (spec) {
      if (!spec) return
      render(spec, token)
      say('Authorized: "Try it out" requests carry this token.')
    }).catch(function () { say('Network error while loading the API description.', true) })
  }
  document.getElementById('token-form').addEventListener('submit', function (ev) {
    ev.preventDefault()
    var input = document.getElementById('token')
    var token = input.value.trim().replace(/^Bearer\\s+/i, '')
    input.value = ''
    if (token) { store(token); load() }
  })
  document.getElementById('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault()
    var body = JSON.stringify({ email: document.getElementById('email').value, password: document.getElementById('password').value })
    function post (url) {
      return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body }).then(function (res) {
        return res.json().then(function (json) { return { ok: res.ok && !!json.data, status: res.status, json: json } })
      })
    }
    // The app's users first; refused credentials may be a platform user's, which the API accepts
    // as admin of every app (the same answer as POST /api/_platform/auth/login).
    post(base + '/auth/login').then(function (r) {
      if (r.ok || r.status !== 401) return r
      return post('/api/_platform/auth/login').then(function (p) { return p.ok ? p : r })
    }).then(function (r) {
      var json = r.json
      if (!r.ok) { say((json.error && json.error.message) || 'Login failed.', true); return }
      document.getElementById('password').value = ''
      store(json.data.access_token)
      load()
    }).catch(function () { say('Network error while logging in.', true) })
  })
  document.getElementById('forget').addEventListener('click', function () { store(''); window.location.reload() })
  load()
})()
`
