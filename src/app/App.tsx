import { useEffect, useState } from 'react';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModule } from '../core/wasm-browser.ts';

type CoreStatus =
  | { state: 'loading' }
  | { state: 'ready'; detail: string }
  | { state: 'error'; detail: string };

export function App() {
  const [core, setCore] = useState<CoreStatus>({ state: 'loading' });
  useEffect(() => {
    loadCoreModule()
      .then((module) => {
        const core = BalloonCore.fromWasm(module);
        // vring_need_event(event=0, new=1, old=0): moving the index past 0 must notify.
        const notify = core.abi.needEvent(0, 1, 0) === 1;
        setCore({
          state: 'ready',
          detail: `WebAssembly core ready (need_event self-check: ${notify ? 'ok' : 'wrong'})`,
        });
      })
      .catch((err: unknown) => setCore({ state: 'error', detail: String(err) }));
  }, []);
  return (
    <>
      <header className="app-header">
        <h1>Balloon Lab</h1>
        <p>How a virtual machine gives memory back to its host: virtio-balloon, simulated.</p>
      </header>
      <main className="app-main">
        <p className="status" data-testid="core.status" data-state={core.state} role="status">
          {core.state === 'loading' ? 'Loading the WebAssembly core…' : core.detail}
        </p>
      </main>
    </>
  );
}
