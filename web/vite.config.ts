import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// In development the app runs on Vite's port and the API on the server's. The server checks
// that a changing request's Origin is PUBLIC_URL, so the proxy presents the server's own origin.
const apiTarget = 'http://127.0.0.1:3000';
const publicUrl = process.env.PUBLIC_URL ?? 'http://localhost:3000';

const proxy = {
  target: apiTarget,
  configure(server: { on(event: 'proxyReq', handler: (req: { getHeader(name: string): unknown; setHeader(name: string, value: string): void }) => void): void }) {
    server.on('proxyReq', (req) => {
      if (req.getHeader('origin')) req.setHeader('origin', new URL(publicUrl).origin);
    });
  },
};

const outDir = here('../dist/web');
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/;

/**
 * Writes .br and .gz beside each text file of the build, once, at the strongest settings, so
 * the server sends them as they are instead of compressing on every request. A copy that
 * would not be smaller is not written.
 */
function precompress(): Plugin {
  return {
    name: 'parley-precompress',
    apply: 'build',
    closeBundle() {
      for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
        const file = path.join(entry.parentPath, entry.name);
        const bytes = readFileSync(file);
        const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
        const gz = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });
        if (br.length < bytes.length) writeFileSync(`${file}.br`, br);
        if (gz.length < bytes.length) writeFileSync(`${file}.gz`, gz);
      }
    },
  };
}

export default defineConfig({
  root: here('.'),
  plugins: [react(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    // Source maps would publish the app's source; the development server has its own.
    sourcemap: false,
  },
  server: {
    proxy: { '/api': proxy, '/media': proxy },
  },
});
