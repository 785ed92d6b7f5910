// The header: the scenario picker, loading a scenario or a QEMU trace, exporting the trace, the share
// link, the theme and the keys dialog.

import { CompareButton } from './compare/CompareMount.tsx';
import { type AppServices, useApp, useRunnerVersion, useServices } from './context.tsx';
import { FileButton } from './FileButton.tsx';
import { mib } from './format.ts';
import { openScenario, type ScenarioSource } from './open.ts';

/**
 * Opens a scenario the user picked or loaded by hand: the address bar then no longer names what the
 * page shows (and the same link pasted again is a change the page hears).
 */
async function openByHand(svc: AppServices, source: ScenarioSource): Promise<void> {
  if ((await openScenario(svc, source)) && location.hash) {
    history.replaceState(null, '', location.pathname + location.search);
  }
}

export function Header() {
  useRunnerVersion();
  const svc = useServices();
  const { runner, store } = svc;
  const scenarios = useApp((s) => s.scenarios);
  const current = useApp((s) => s.currentFile);
  const title = useApp((s) => s.title);
  const theme = useApp((s) => s.theme);
  const loadTrace = async (file: File) => {
    store.getState().setPlaying(false);
    const error = await runner.loadTrace(await file.text());
    if (error) {
      store.getState().setNotice({ kind: 'error', text: `${file.name}: ${error} Nothing was changed.` });
      return;
    }
    store.getState().setCurrent(null, `trace: ${file.name}`);
    store.getState().setNotice(null);
  };
  const exportTrace = async () => {
    if (!runner.sim) return;
    store.getState().setNotice({ kind: 'info', text: 'Writing the trace…' });
    const { download, traceBlob } = await import('./export-trace.ts');
    const blob = await traceBlob({ chunks: () => runner.traceChunks() }, (chars) =>
      store.getState().setNotice({ kind: 'info', text: `Writing the trace… ${mib(chars, 0)}` }),
    );
    download(blob, `${(title || 'balloon-lab').replace(/[^\w.-]+/g, '-')}.trace`);
    store.getState().setNotice({ kind: 'info', text: `Trace exported: ${mib(blob.size, 1)}.` });
  };
  return (
    <header className="app-header">
      <h1>Balloon Lab</h1>
      <p className="tagline">How a virtual machine gives memory back to its host</p>
      <div className="row wrap header-tools">
        <label htmlFor="scenario">Scenario</label>
        <select
          id="scenario"
          value={current ?? ''}
          title={title}
          onChange={(e) => {
            if (e.target.value) void openByHand(svc, { kind: 'bundled', file: e.target.value });
          }}
        >
          {current === null && <option value="">{title || 'custom'}</option>}
          {scenarios.map((s) => (
            <option key={s.file} value={s.file} title={s.description}>
              {s.name}
            </option>
          ))}
        </select>
        <FileButton
          label="Load scenario…"
          accept=".json,application/json"
          testId="file.scenario"
          onFile={(f) => void f.text().then((text) => openByHand(svc, { kind: 'file', name: f.name, text }))}
        />
        <FileButton
          label="Load QEMU trace…"
          accept=".trace,.log,.txt,text/plain"
          testId="file.trace"
          onFile={(f) => void loadTrace(f)}
        />
        <button type="button" onClick={() => void exportTrace()} disabled={runner.sim === null}>
          Export trace
        </button>
        <button
          type="button"
          onClick={() => void import('./share-link.ts').then((m) => m.copyShareLink(svc))}
        >
          Share link
        </button>
        <CompareButton />
        <button
          type="button"
          aria-pressed={theme === 'dark'}
          onClick={() => store.getState().setTheme(theme === 'dark' ? 'light' : 'dark')}
        >
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
        <button type="button" aria-keyshortcuts="?" onClick={() => store.getState().setShowHelp(true)}>
          Keys
        </button>
        <button
          type="button"
          onClick={() => void import('./lesson/controller.ts').then(({ showWelcome }) => showWelcome(svc))}
        >
          Lessons
        </button>
        <a className="button-link" href="?guest">
          Real guest
        </a>
      </div>
    </header>
  );
}
