// Over virtual time (the Plots tab): the balloon, memory, and all eight stats tags as the host received
// them. The Stats tab: the guest's stats as the host has them now (qom-get guest-stats), with QEMU's names.
import { useStore } from 'zustand';
import { guestStatsOf, type Playable, seriesOf, simulationOf } from '../../sim/view.ts';
import { useApp, useRunner } from '../context.tsx';
import { Gloss } from '../Gloss.tsx';
import { lessonStore } from '../lesson/state.ts';
import { PLOTS, Plot } from './Plots.tsx';

const LABELS: Record<string, string> = {
  'stat-swap-in': 'swapped in (bytes)',
  'stat-swap-out': 'swapped out (bytes)',
  'stat-major-faults': 'major faults',
  'stat-minor-faults': 'minor faults',
  'stat-free-memory': 'free memory (bytes)',
  'stat-total-memory': 'total memory (bytes)',
  'stat-available-memory': 'available memory (bytes)',
  'stat-disk-caches': 'disk caches (bytes)',
};

/** The lesson measure each tag's value is (src/lessons/measures.ts), where there is one. */
const MEASURE: Record<string, string> = {
  'stat-free-memory': 'statFreeMiB',
  'stat-total-memory': 'statTotalMiB',
  'stat-available-memory': 'statAvailableMiB',
  'stat-disk-caches': 'statCachesMiB',
  'stat-minor-faults': 'statMinorFaults',
};

/** The plots' series (and their revision), and guest-stats as the host has them now. */
export function statsView(p: Playable | null) {
  const sim = simulationOf(p);
  if (!sim) return null;
  return { ...seriesOf(sim), guestStats: guestStatsOf(sim) };
}

export function PlotsPanel() {
  const view = useRunner(statsView);
  const theme = useApp((s) => s.theme);
  const mark = useStore(lessonStore, (s) => s.marks.plot);
  if (!view) return null;
  return (
    <section className="panel plots-panel" aria-labelledby="plots-title" data-panel="plots">
      <h2 id="plots-title">Over virtual time</h2>
      <div className="plots">
        {PLOTS.map((spec) => (
          <Plot
            key={spec.id}
            series={view.series}
            spec={spec}
            version={view.revision}
            theme={theme}
            mark={mark}
          />
        ))}
      </div>
    </section>
  );
}

export function StatsPanel() {
  const view = useRunner(statsView);
  if (!view) return null;
  const gs = view.guestStats;
  return (
    <section className="panel stats" aria-labelledby="stats-title" data-panel="stats">
      <h2 id="stats-title">The guest's stats as the host sees them</h2>
      <p className="panel-terms muted">
        The guest fills one <Gloss term="stats buffer" /> (tag, value) and QEMU asks for a fresh one every{' '}
        <Gloss term="polling interval" />.
      </p>
      <table>
        <caption>
          <code>guest-stats</code>, last update at {gs['last-update']} s (−1: never sent)
        </caption>
        <tbody>
          {Object.entries(LABELS).map(([k, label]) => {
            const v = gs.stats[k as keyof typeof gs.stats];
            return (
              <tr key={k}>
                <th scope="row">
                  <code>{k}</code> <span className="muted stat-label">{label}</span>
                </th>
                <td data-testid={`stats.${k}`} data-measure={MEASURE[k]}>
                  {v === -1 ? '−1' : v.toLocaleString('en-US')}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
