import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath, URL } from 'node:url'

// `npm run dev` proxies the API to a running `bole serve` (default 127.0.0.1:8080).
const api = process.env.BOLE_API ?? 'http://127.0.0.1:8080'

// Vant's icon font falls back to a copy on at.alicdn.com: an intranet install must never reach
// out (and our CSP would block it, with a console error). The embedded woff2 is enough.
const noCdnFonts: Plugin = {
  name: 'bole-no-cdn-fonts',
  enforce: 'pre',
  transform(code, id) {
    if (!id.endsWith('.css') || !code.includes('alicdn.com')) return null
    return code.replace(/,\s*url\(\/\/at\.alicdn\.com[^)]*\)\s*format\(["']woff["']\)/g, '')
  },
}

export default defineConfig({
  plugins: [vue(), noCdnFonts],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { proxy: { '/api': api, '/healthz': api } },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        // Vendor libraries change less often than the app: separate, long-cached chunks.
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined
          if (id.includes('echarts') || id.includes('zrender')) return 'echarts'
          if (id.includes('element-plus') || id.includes('@element-plus')) return 'element-plus'
          if (id.includes('vant')) return 'vant'
          return 'vendor'
        },
      },
    },
  },
})
