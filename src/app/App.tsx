import { useEffect, useState } from 'react';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModule } from '../core/wasm-browser.ts';
import { MemoryMapDemo, startDemo } from './demo/MemoryMapDemo.tsx';
import type { Theme } from './memmap/index.ts';

type CoreStatus =
  | { state: 'loading' }
  | { state: 'ready'; detail: string; core: BalloonCore }
  | { state: 'error'; detail: string };

function preferredTheme(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function App() {
  const [core, setCore] = useState<CoreStatus>({ state: 'loading' });
  const [theme, setTheme] = useState<Theme>(preferredTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    loadCoreModule()
      .then((module) => {
        const core = BalloonCore.fromWasm(module);
        // vring_need_event(event=0, new=1, old=0): moving the index past 0 must notify.
        const notify = core.abi.needEvent(0, 1, 0) === 1;
        startDemo(core);
        setCore({
          state: 'ready',
          detail: `WebAssembly core ready (need_event self-check: ${notify ? 'ok' : 'wrong'})`,
          core,
        });
      })
      .catch((err: unknown) => setCore({ state: 'error', detail: String(err) }));
  }, []);
  return (
    <>
      <header className="app-header">
        <h1>Balloon Lab</h1>
        <p>How a virtual machine gives memory back to its host: virtio-balloon, simulated.</p>
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
        <p className="status" data-testid="core.status" data-state={core.state} role="status">
          {core.state === 'loading' ? 'Loading the WebAssembly core…' : core.detail}
        </p>
        {core.state === 'ready' && <MemoryMapDemo core={core.core} theme={theme} />}
      </main>
    </>
  );
}
