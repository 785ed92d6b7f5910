// The memory map on its own, on a still 16 GiB guest with every state in it (./?demo=memmap): the
// page its visual tests and its frame-time benchmark (npm run bench:map) run against.
import { useEffect, useState } from 'react';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModule } from '../core/wasm-browser.ts';
import { MemoryMapDemo, startDemo } from './demo/MemoryMapDemo.tsx';
import type { Theme } from './memmap/index.ts';

export function MapGallery() {
  const [core, setCore] = useState<BalloonCore | null>(null);
  const [theme, setTheme] = useState<Theme>(() =>
    window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
  );
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    void loadCoreModule().then((module) => {
      const c = BalloonCore.fromWasm(module);
      startDemo(c);
      setCore(c);
    });
  }, []);
  return (
    <>
      <header className="app-header">
        <h1>Balloon Lab</h1>
        <p className="tagline">The memory map, on a still 16 GiB guest</p>
        <button
          type="button"
          className="theme-toggle"
          aria-pressed={theme === 'dark'}
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
        >
          Dark theme
        </button>
      </header>
      <main className="app-main">
        <p className="status" data-testid="core.status" data-state={core ? 'ready' : 'loading'} role="status">
          {core ? 'WebAssembly core ready' : 'Loading the WebAssembly core…'}
        </p>
        {core && <MemoryMapDemo core={core} theme={theme} />}
      </main>
    </>
  );
}
