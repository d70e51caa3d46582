import { defineConfig } from 'vite';

// The build is committed (dist/) and embedded in the Go binary, so it must
// be the same on every machine: no timestamps, content-hashed names only.
// Its files are served under /graphiql/ and its page at / (development
// servers only).
export default defineConfig({
  base: '/graphiql/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
});
