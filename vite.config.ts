/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// A relative base so that `dist/` works from any static host and any sub-path.
export default defineConfig({
  base: './',
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  // The real guest's worker imports v86 when it starts: an ES module worker can split.
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              name: 'lab',
              test: (id: string) =>
                /node_modules\/(react|react-dom|scheduler|zustand)\/|\/src\/(core|sim)\//.test(id) &&
                !/checkpoints|snapshot|view-frame|trace-(replay|parse|summary)|\/core\/(twin|fuzz|testing)|\?/.test(
                  id,
                ),
            },
          ],
        },
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
