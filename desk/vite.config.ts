import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The build is committed (dist/) and embedded in the Go binary, so it must
// be the same on every machine: no timestamps, content-hashed names only.
export default defineConfig({
  base: '/desk/',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 200,
  },
  server: {
    // `npm run dev` next to `go run ./server`: the API on the same origin.
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:8080', ws: true },
      '/media': 'http://127.0.0.1:8080',
      '/originals': 'http://127.0.0.1:8080',
      '/uploads': 'http://127.0.0.1:8080',
    },
  },
});
