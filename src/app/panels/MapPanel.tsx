// Every frame of the guest, coloured by state: the guest's view and the host's view of the same
// memory, side by side (the contrast is the lesson). The map reads the core itself every animation
// frame; React only passes it the settings.
import { useCallback } from 'react';
import type { Pfn } from '../../core/units.ts';
import { useApp, useRunnerVersion, useServices } from '../context.tsx';
import { MemoryMap, MemoryMapLegend, ViewToggle } from '../memmap/index.ts';

export function MapPanel() {
  useRunnerVersion();
  const { core, runner, store } = useServices();
  const view = useApp((s) => s.mapView);
  const theme = useApp((s) => s.theme);
  const describe = useCallback(
    (pfn: Pfn) => {
      const sim = runner.sim;
      if (!sim) return undefined;
      const page = Math.floor(pfn / sim.kernel.ppp);
      const owner = sim.kernel.owner[page];
      const w = owner ? sim.kernel.workloadById(owner) : undefined;
      return w ? `workload "${w.name}" (${w.kind}, pid ${w.pid})` : undefined;
    },
    [runner],
  );
  const ready = runner.sim !== null || runner.replay !== null;
  if (!ready) return null;
  return (
    <section className="panel map" aria-labelledby="map-title">
      <div className="row wrap map-head">
        <h2 id="map-title">Guest memory, frame by frame</h2>
        <ViewToggle name="lab-map-view" view={view} onChange={(v) => store.getState().setMapView(v)} />
      </div>
      {/* The map follows the core's dirty bytes itself; it starts over only with a new simulation. */}
      <MemoryMap core={core} version={runner.generation} theme={theme} view={view} describe={describe} />
      <div className="map-legends">
        {view !== 'host' && <MemoryMapLegend view="guest" theme={theme} counts={core.stateCounts()} />}
        {view !== 'guest' && <MemoryMapLegend view="host" theme={theme} counts={core.hostCounts()} />}
      </div>
    </section>
  );
}
