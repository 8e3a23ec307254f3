import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// Built by `npm run build:web` (`vite build web`): the root is web/, the output web/dist, served by Conductor at /.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', sourcemap: false, target: 'es2022' },
  server: { proxy: { '/api': 'http://127.0.0.1:7700', '/auth': 'http://127.0.0.1:7700' } },
})
