// Boot: loads the wasm core, the scenario index and the first scenario (or the one a link names),
// then installs the browser hook and hands the services to the lab.
import { type ReactNode, useEffect, useState } from 'react';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModule } from '../core/wasm-browser.ts';
import { AppContext, type AppServices } from './context.tsx';
import { installHook } from './hook.ts';
import { navigate } from './lesson/navigate.ts';
import { fetchJson } from './open.ts';
import { SimRunner } from './sim-runner.ts';
import { createAppStore, type ScenarioEntry } from './store.ts';

async function boot(): Promise<AppServices> {
  const module = await loadCoreModule();
  const core = BalloonCore.fromWasm(module);
  const store = createAppStore({
    theme: matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
  });
  const runner = new SimRunner(core);
  const index = (await fetchJson('./scenarios/index.json')) as { scenarios: ScenarioEntry[] };
  store.getState().setScenarios(index.scenarios);
  const svc = { core, store, runner };
  await navigate(svc);
  // Only once the first scenario is loaded: a caller of the hook must never race the page's own load.
  installHook(runner, (title) => store.getState().setCurrent(null, title));
  return svc;
}

export function Boot({ children }: { children: ReactNode }) {
  const [services, setServices] = useState<AppServices | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    boot()
      .then((svc) => {
        if (!cancelled) setServices(svc);
      })
      .catch((e: unknown) => setFatal(String(e)));
    return () => {
      cancelled = true;
    };
  }, []);
  if (fatal) {
    return (
      <main className="app-main">
        <p className="alarm" role="alert">
          Balloon Lab could not start: {fatal}
        </p>
      </main>
    );
  }
  if (!services) {
    return (
      <main className="app-main">
        <p className="status" role="status" data-testid="core.status" data-state="loading">
          Loading the WebAssembly core…
        </p>
      </main>
    );
  }
  return <AppContext.Provider value={services}>{children}</AppContext.Provider>;
}
