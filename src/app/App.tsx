import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModule } from '../core/wasm-browser.ts';
import { parseScenario, type Scenario } from '../sim/scenario.ts';
import { AppContext, type AppServices, useApp, useRunnerVersion, useServices } from './context.tsx';
import { download, traceBlob } from './export-trace.ts';
import { FileButton } from './FileButton.tsx';
import { mib } from './format.ts';
import { installHook } from './hook.ts';
import { Controls } from './panels/Controls.tsx';
import { GuestPanel } from './panels/GuestPanel.tsx';
import { HostPanel } from './panels/HostPanel.tsx';
import { MapPanel } from './panels/MapPanel.tsx';
import { TracePanel } from './panels/TracePanel.tsx';
import { decodeShare, encodeShare } from './share.ts';
import { SimRunner } from './sim-runner.ts';
import { createAppStore, type ScenarioEntry } from './store.ts';

const DEFAULT_SCENARIO = 'inflate-deflate.json';

// Off the critical path: the virtqueue inspector and driver view (with the driver's source), and the
// map's gallery page.
const RingsPanel = lazy(() => import('./panels/RingsPanel.tsx').then((m) => ({ default: m.RingsPanel })));
const StatsPanel = lazy(() => import('./panels/StatsPanel.tsx').then((m) => ({ default: m.StatsPanel })));
const MapGallery = lazy(() => import('./MapGallery.tsx').then((m) => ({ default: m.MapGallery })));

async function fetchJson(path: string): Promise<unknown> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

export function App() {
  if (new URLSearchParams(location.search).get('demo') === 'memmap') {
    return (
      <Suspense fallback={null}>
        <MapGallery />
      </Suspense>
    );
  }
  return <LabApp />;
}

function LabApp() {
  const [services, setServices] = useState<AppServices | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const module = await loadCoreModule();
      const core = BalloonCore.fromWasm(module);
      const store = createAppStore({
        theme: matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
      });
      const runner = new SimRunner(core);
      const index = (await fetchJson('./scenarios/index.json')) as { scenarios: ScenarioEntry[] };
      store.getState().setScenarios(index.scenarios);
      const svc = { core, store, runner };
      await openFromLocation(svc);
      // Only once the first scenario is loaded: a caller of the hook must never race the page's own load.
      installHook(runner, (title) => store.getState().setCurrent(null, title));
      if (!cancelled) setServices(svc);
    })().catch((e: unknown) => setFatal(String(e)));
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
  return (
    <AppContext.Provider value={services}>
      <Lab />
    </AppContext.Provider>
  );
}

/** Opens what the URL names, or the default scenario with a message when the link is bad. */
async function openFromLocation({ runner, store }: AppServices): Promise<void> {
  const { scenarios } = store.getState();
  const decoded = decodeShare(
    location.hash,
    scenarios.map((s) => s.file),
  );
  const openBundled = async (file: string, seed?: number) => {
    const parsed = parseScenario(await fetchJson(`./scenarios/${file}`));
    if (!parsed.ok) throw new Error(`bundled scenario ${file}: ${parsed.errors[0]}`);
    const scenario: Scenario = seed === undefined ? parsed.scenario : { ...parsed.scenario, seed };
    runner.load(scenario);
    store.getState().setCurrent(file, scenario.name);
  };
  if (!decoded.ok) {
    store.getState().setNotice({
      kind: 'error',
      text: `This link could not be opened: ${decoded.error}. Showing the default scenario instead.`,
    });
    await openBundled(DEFAULT_SCENARIO);
    return;
  }
  const state = decoded.state;
  if (!state) return openBundled(DEFAULT_SCENARIO);
  if (state.kind === 'bundled') await openBundled(state.file, state.seed);
  else {
    runner.load(state.scenario);
    store.getState().setCurrent(null, state.scenario.name);
  }
  runner.replayToEvent(state.event, state.us);
}

function Lab() {
  const { runner, store } = useServices();
  const theme = useApp((s) => s.theme);
  const notice = useApp((s) => s.notice);
  const showHelp = useApp((s) => s.showHelp);
  usePlayback();
  useKeyboard();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const reset = () => {
    store.getState().setPlaying(false);
    runner.replayToEvent(0);
  };
  return (
    <>
      <Header />
      {notice && (
        <p className={notice.kind === 'error' ? 'notice alarm' : 'notice'} role="alert" data-testid="notice">
          {notice.text}
          <button type="button" aria-label="Dismiss" onClick={() => store.getState().setNotice(null)}>
            ×
          </button>
        </p>
      )}
      <Controls onReset={reset} />
      <main className="lab">
        <TracePanel />
        <HostPanel />
        <MapPanel />
        <GuestPanel />
        <Suspense fallback={<p className="panel rings">Loading the virtqueue inspector…</p>}>
          <RingsPanel />
        </Suspense>
        <Suspense fallback={null}>
          <StatsPanel />
        </Suspense>
      </main>
      {showHelp && <Help />}
    </>
  );
}

function Header() {
  useRunnerVersion();
  const { runner, store } = useServices();
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
  const choose = async (file: string) => {
    store.getState().setPlaying(false);
    const parsed = parseScenario(await fetchJson(`./scenarios/${file}`));
    if (!parsed.ok) {
      store.getState().setNotice({ kind: 'error', text: `${file}: ${parsed.errors[0]}` });
      return;
    }
    runner.load(parsed.scenario);
    store.getState().setCurrent(file, parsed.scenario.name);
    store.getState().setNotice(null);
  };
  const loadFile = async (file: File) => {
    const text = await file.text();
    const parsed = parseScenario(text);
    if (!parsed.ok) {
      store.getState().setNotice({
        kind: 'error',
        text: `${file.name} is not a valid scenario: ${parsed.errors.slice(0, 3).join('; ')}${parsed.errors.length > 3 ? ` (and ${parsed.errors.length - 3} more)` : ''}. Nothing was changed.`,
      });
      return;
    }
    runner.load(parsed.scenario);
    store.getState().setCurrent(null, parsed.scenario.name);
    store.getState().setNotice(null);
  };
  const exportTrace = async () => {
    if (!runner.sim) return;
    store.getState().setNotice({ kind: 'info', text: 'Writing the trace…' });
    const blob = await traceBlob({ chunks: () => runner.traceChunks() }, (chars) =>
      store.getState().setNotice({ kind: 'info', text: `Writing the trace… ${mib(chars, 0)}` }),
    );
    download(blob, `${(title || 'balloon-lab').replace(/[^\w.-]+/g, '-')}.trace`);
    store.getState().setNotice({ kind: 'info', text: `Trace exported: ${mib(blob.size, 1)}.` });
  };
  const share = async () => {
    const scenario = runner.scenario;
    if (!scenario) return;
    const bundledUnchanged = current !== null;
    const hash = bundledUnchanged
      ? encodeShare({
          kind: 'bundled',
          file: current,
          seed: scenario.seed,
          event: runner.eventIndex,
          us: runner.nowUs,
        })
      : encodeShare({ kind: 'custom', scenario, event: runner.eventIndex, us: runner.nowUs });
    history.replaceState(null, '', hash);
    await navigator.clipboard?.writeText(location.href).catch(() => undefined);
    store
      .getState()
      .setNotice({ kind: 'info', text: 'The link to this exact moment is in the address bar (and copied).' });
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
          onChange={(e) => {
            if (e.target.value) void choose(e.target.value);
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
          onFile={(f) => void loadFile(f)}
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
        <button type="button" onClick={share}>
          Share link
        </button>
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
      </div>
    </header>
  );
}

const KEYS: [string, string][] = [
  ['Space', 'Play / Pause'],
  ['→', 'Step'],
  ['←', 'Step back'],
  ['R', 'Reset'],
  ['1 – 5', 'Speed: real time … as fast as possible'],
  ['M', 'Memory map: both views / guest / host'],
  ['T', 'Light / dark theme'],
  ['Esc', 'Clear the PFNs highlighted on the memory map'],
  ['?', 'This list'],
];

function Help() {
  const { store } = useServices();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal?.();
  }, []);
  return (
    <dialog
      ref={ref}
      className="help"
      aria-labelledby="help-title"
      onClose={() => store.getState().setShowHelp(false)}
    >
      <h2 id="help-title">Keyboard shortcuts</h2>
      <dl>
        {KEYS.map(([k, v]) => (
          <div key={k}>
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}

/**
 * The simulation's share of an animation frame while playing: the map, the panels and the browser need
 * the rest of the 16.7 ms, or the page stops answering while a big guest runs.
 */
const FRAME_BUDGET_MS = 8;
/**
 * How often the panels follow a playing simulation: ten times a second is faster than anyone reads a
 * number, and a big guest's plots and tables cost more than a frame to redraw. The map draws every frame
 * on its own (it reads the core's dirty bytes).
 */
const PANELS_EVERY_MS = 100;

/** Plays the simulation against the wall clock while `playing`; 'max' runs as fast as a frame allows. */
function usePlayback() {
  const { runner, store } = useServices();
  const playing = useApp((s) => s.playing);
  const speed = useApp((s) => s.speed);
  useEffect(() => {
    if (!playing) return;
    let raf = 0;
    let last = performance.now();
    let shown = last;
    const tick = (t: number) => {
      if (t - shown >= PANELS_EVERY_MS) {
        // A frame for the panels (they redraw in this task): the simulation waits for the next one,
        // which makes up for this frame's time.
        runner.flush();
        shown = t;
      } else {
        const dt = Math.min(100, t - last);
        last = t;
        // Behind at a high speed, the virtual clock falls back rather than the frame running long.
        const to = speed === 'max' ? runner.endUs : runner.nowUs + dt * 1000 * speed;
        runner.runFor(to, FRAME_BUDGET_MS, { quiet: true });
        if (runner.atEnd && runner.nowUs >= runner.endUs) {
          runner.flush();
          store.getState().setPlaying(false);
          return;
        }
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(raf);
      // Paused (or a new speed): the panels show exactly where the simulation stopped.
      runner.flush();
    };
  }, [playing, speed, runner, store]);
}

function useKeyboard() {
  const { runner, store } = useServices();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (el.closest('input, select, textarea, [contenteditable]') || e.altKey || e.ctrlKey || e.metaKey)
        return;
      // A widget that took the key for itself (the map's cursor, the queue tabs, a table's rows) owns it.
      if (e.defaultPrevented) return;
      const s = store.getState();
      const speeds = [1, 10, 100, 1000, 'max'] as const;
      switch (e.key) {
        case ' ':
          s.setPlaying(!s.playing);
          break;
        case 'ArrowRight':
          s.setPlaying(false);
          runner.stepForward();
          break;
        case 'ArrowLeft':
          s.setPlaying(false);
          runner.stepBack();
          break;
        case 'r':
        case 'R':
          s.setPlaying(false);
          runner.replayToEvent(0);
          break;
        case 'm':
        case 'M':
          s.setMapView(s.mapView === 'split' ? 'guest' : s.mapView === 'guest' ? 'host' : 'split');
          break;
        case 't':
        case 'T':
          s.setTheme(s.theme === 'dark' ? 'light' : 'dark');
          break;
        case '?':
          s.setShowHelp(true);
          break;
        case 'Escape':
          // The help dialog takes its own Escape; otherwise it lets go of the map's highlight.
          if (s.showHelp || (!s.selectedDescriptor && s.highlight.length === 0)) return;
          s.clearHighlight();
          break;
        default:
          if (e.key >= '1' && e.key <= '5') s.setSpeed(speeds[Number(e.key) - 1]);
          else return;
      }
      e.preventDefault(); // keys that step must not scroll the page
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [runner, store]);
}
