import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

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

export default defineConfig({
  root: here('.'),
  plugins: [react()],
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: { '/api': proxy, '/media': proxy },
  },
});
