// "Side by side": the targets the host set on the real guest, given at the same moments to a simulated
// guest of the same size, and both runs measured from their traces with the same code.
import { useState } from 'react';
import { MemoryMap } from '../memmap/index.ts';
import type { GuestConnection } from './guest-store.ts';
import type { RunMeasures } from './side-by-side.ts';
import type { SideBySideResult } from './side-by-side-run.ts';

type State =
  | { phase: 'idle' }
  | { phase: 'running' }
  | { phase: 'failed'; message: string }
  | { phase: 'done'; result: SideBySideResult; run: number };

const ms = (us: number | null) => (us === null ? 'not reached' : `${(us / 1000).toFixed(0)} ms`);
const count = (b: { buffers: number; pfns: number }) =>
  `${b.buffers} (${b.pfns.toLocaleString('en-US')} PFNs)`;

export function SideBySide({ conn, dark }: { conn: GuestConnection; dark: boolean }) {
  const [state, setState] = useState<State>({ phase: 'idle' });
  const run = async () => {
    setState({ phase: 'running' });
    try {
      const [{ compareWithSimulation }, trace] = await Promise.all([
        import('./side-by-side-run.ts'),
        conn.trace(),
      ]);
      const result = await compareWithSimulation(trace);
      setState((s) =>
        typeof result === 'string'
          ? { phase: 'failed', message: result }
          : { phase: 'done', result, run: (s.phase === 'done' ? s.run : 0) + 1 },
      );
    } catch (e) {
      setState({ phase: 'failed', message: (e as Error).message });
    }
  };
  return (
    <div className="guest-sbs" data-testid="guest.side-by-side">
      <p className="muted small">
        The targets you set on the real guest, given at the same moments to a simulated guest of the same
        size. Both runs are read from their QEMU-format traces, so each number comes from the same code. The
        real guest runs in an emulator, slower than under KVM: its times are longer than a real host’s.
      </p>
      <button type="button" onClick={() => void run()} disabled={state.phase === 'running'}>
        {state.phase === 'done' ? 'Run again with the steps so far' : 'Run the same steps in the simulation'}
      </button>
      {state.phase === 'running' && <p role="status">Running the simulation…</p>}
      {state.phase === 'failed' && (
        <p className="field-error" role="alert">
          {state.message}
        </p>
      )}
      {state.phase === 'done' && <Result result={state.result} run={state.run} dark={dark} />}
    </div>
  );
}

function Result({ result, run, dark }: { result: SideBySideResult; run: number; dark: boolean }) {
  const { real, sim } = result;
  const rows: [string, (m: RunMeasures) => string][] = [
    ['actual at the end (pages)', (m) => m.actual.toLocaleString('en-US')],
    ['inflate buffers', (m) => count(m.inflate)],
    ['deflate buffers', (m) => count(m.deflate)],
  ];
  const targets = Math.max(real.targets.length, sim.targets.length);
  for (let i = 0; i < targets; i++) {
    const t = real.targets[i] ?? sim.targets[i];
    rows.push([
      `target ${i + 1} (num_pages ${t.numPages.toLocaleString('en-US')}): reached after`,
      (m) => (m.targets[i] ? ms(m.targets[i].reachedAfterUs) : '—'),
    ]);
  }
  const theme = dark ? 'dark' : 'light';
  return (
    <>
      <table className="guest-sbs-table" aria-label="The real guest and the simulation, measured alike">
        <thead>
          <tr>
            <th scope="col">measure</th>
            <th scope="col">real Linux 6.1</th>
            <th scope="col">simulation</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td data-side="real">{value(real)}</td>
              <td data-side="sim">{value(sim)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="guest-sbs-maps">
        {(
          [
            ['Real guest', result.cores.real],
            ['Simulation', result.cores.sim],
          ] as const
        ).map(([who, core]) => (
          <figure key={who}>
            <figcaption>{who}: host’s view at the end</figcaption>
            <MemoryMap core={core} version={run} theme={theme} view="host" className="guest-sbs-map" />
          </figure>
        ))}
      </div>
    </>
  );
}
