// The guest's key numbers, always in sight: /proc/meminfo, the balloon as the driver counts it, and
// what went wrong so far (out of puff, the OOM killer, compaction). The guest's controls and dmesg are
// the Guest tab (GuestPanel.tsx).
import { balloonOf, meminfoOf, type Playable, simulationOf } from '../../sim/view.ts';
import { useRunner } from '../context.tsx';
import { mib } from '../format.ts';
import { Gloss } from '../Gloss.tsx';

/** What the guest's numbers show: meminfo, the driver's balloon, the counts of trouble. */
export function guestNumbersView(p: Playable | null) {
  const sim = simulationOf(p);
  if (!sim) return null;
  return {
    meminfo: meminfoOf(sim),
    balloonPages: balloonOf(sim).driverNumPages,
    outOfPuff: sim.counters.outOfPuff ?? 0,
    oomKills: sim.kernel.vm.oomKill,
    migrations: sim.kernel.vm.balloonMigrate,
  };
}

const GLOSSED: Record<string, string> = { MemTotal: 'MemTotal', MemFree: 'MemFree' };
const MEASURE: Record<string, string> = {
  MemTotal: 'memTotalMiB',
  MemFree: 'memFreeMiB',
  MemAvailable: 'memAvailableMiB',
};

export function GuestNumbers() {
  const view = useRunner(guestNumbersView);
  if (!view) return null;
  const mi = view.meminfo;
  const rows: [string, number][] = [
    ['MemTotal', mi.MemTotal],
    ['MemFree', mi.MemFree],
    ['MemAvailable', mi.MemAvailable],
    ['Cached', mi.Cached],
    ['SwapTotal', mi.SwapTotal],
    ['SwapFree', mi.SwapFree],
  ];
  return (
    <section className="panel guest-numbers" aria-labelledby="guest-numbers-title" data-panel="guest">
      <h2 id="guest-numbers-title">Guest memory</h2>
      <table className="meminfo" aria-label="/proc/meminfo">
        <caption>/proc/meminfo</caption>
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{GLOSSED[k] ? <Gloss term={GLOSSED[k]} /> : k}</th>
              <td data-testid={`guest.${k}`} data-measure={MEASURE[k]}>
                {mib(v)}
              </td>
            </tr>
          ))}
          <tr>
            <th scope="row">
              in the <Gloss term="balloon" />
            </th>
            <td data-testid="guest.balloon" data-measure="balloonPages">
              {mib(view.balloonPages * 4096)}
            </td>
          </tr>
        </tbody>
      </table>
      <dl className="facts counts">
        <div>
          <dt>
            <Gloss term="out of puff">Out of puff</Gloss>
          </dt>
          <dd data-testid="guest.out-of-puff" data-measure="outOfPuff">
            {view.outOfPuff}
          </dd>
        </div>
        <div>
          <dt>
            <Gloss term="OOM killer">OOM kills</Gloss>
          </dt>
          <dd data-testid="guest.oom-kills" data-measure="oomKills">
            {view.oomKills}
          </dd>
        </div>
        <div>
          <dt>
            Balloon pages <Gloss term="migration">migrated</Gloss>
          </dt>
          <dd data-testid="guest.migrations" data-measure="migrations">
            {view.migrations}
          </dd>
        </div>
      </dl>
    </section>
  );
}
