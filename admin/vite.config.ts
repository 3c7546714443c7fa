import { fileURLToPath } from 'node:url'
import tailwindcss from '@tailwindcss/vite'
import { defineConfig } from 'vite'
import solid from 'vite-plugin-solid'

const root = fileURLToPath(new URL('.', import.meta.url))

/**
 * The admin UI is served by the Rocket server at /admin/ (plugins/admin-ui.ts), so every asset
 * URL carries that base. `npm run dev:admin` proxies /api to a server on :8080.
 */
export default defineConfig({
  root,
  base: '/admin/',
  plugins: [solid(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under assets/ are cached for a year by the server.
    assetsDir: 'assets',
    target: 'es2022',
    // No inline <script> or data: module: the server's CSP allows only 'self' scripts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false }
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' }
  }
})
