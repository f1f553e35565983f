// The build is committed (web/dist) and embedded in the server; CI rebuilds it and fails on any
// difference, so everything here must be deterministic: content hashes, no timestamps.
import {defineConfig} from 'vite';

// A local Townsquare for `npm run dev` (see README.md).
const server = process.env.TOWNSQUARE_URL ?? 'http://127.0.0.1:8065';

export default defineConfig({
    oxc: {
        jsx: {runtime: 'automatic', importSource: 'preact'},
    },
    build: {
        outDir: 'dist',
        emptyOutDir: true,
        // Under /static/ so the server caches them for a year (their names change with content).
        assetsDir: 'static',
        target: 'es2022',
        sourcemap: false,
        modulePreload: {polyfill: false},
        reportCompressedSize: false,
    },
    server: {
        proxy: {
            '/api': {target: server, ws: true, changeOrigin: false},
        },
    },
});
