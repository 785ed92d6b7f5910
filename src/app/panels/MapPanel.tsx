// Every frame of the guest, coloured by state: the guest's view and the host's view of the same
// memory, side by side (the contrast is the lesson). The map reads the core itself every animation
// frame; React only passes it the settings, and the PFNs of the descriptor selected in the inspector
// to outline.
import { useCallback, useMemo } from 'react';
import type { Pfn } from '../../core/units.ts';
import { useApp, useRunnerVersion, useServices } from '../context.tsx';
import { describeHighlight, highlightOf, MemoryMap, MemoryMapLegend, ViewToggle } from '../memmap/index.ts';

export function MapPanel() {
  useRunnerVersion();
  const { core, runner, store } = useServices();
  const view = useApp((s) => s.mapView);
  const theme = useApp((s) => s.theme);
  const highlight = useApp((s) => s.highlight);
  const selected = useApp((s) => s.selectedDescriptor);
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
  const ramFrames = core.ramFrames;
  const shown = useMemo(() => highlightOf(highlight, ramFrames), [highlight, ramFrames]);
  const said = highlight.length ? describeHighlight(shown) : '';
  const ready = runner.sim !== null || runner.replay !== null;
  if (!ready) return null;
  const queue = selected ? queueName(runner, selected.queue) : null;
  const source = selected && queue ? `Descriptor ${selected.desc} of the ${queue} queue: ` : '';
  return (
    <section className="panel map" aria-labelledby="map-title">
      <div className="row wrap map-head">
        <h2 id="map-title">Guest memory, frame by frame</h2>
        <ViewToggle name="lab-map-view" view={view} onChange={(v) => store.getState().setMapView(v)} />
      </div>
      <div className="row wrap map-highlight" data-active={said ? true : undefined}>
        <p role="status" data-testid="map.highlight" data-count={shown.frames}>
          {said
            ? `${source}${said}, outlined on the map.`
            : 'Nothing highlighted: select a descriptor in the virtqueue inspector to outline the PFNs it carried.'}
        </p>
        {said ? (
          <button type="button" aria-keyshortcuts="Escape" onClick={() => store.getState().clearHighlight()}>
            Clear highlight
          </button>
        ) : null}
      </div>
      {/* The map follows the core's dirty bytes itself; it starts over only with a new simulation. */}
      <MemoryMap
        core={core}
        version={runner.generation}
        theme={theme}
        view={view}
        describe={describe}
        highlight={highlight}
      />
      <div className="map-legends">
        {view !== 'host' && <MemoryMapLegend view="guest" theme={theme} counts={core.stateCounts()} />}
        {view !== 'guest' && <MemoryMapLegend view="host" theme={theme} counts={core.hostCounts()} />}
      </div>
    </section>
  );
}

function queueName(runner: ReturnType<typeof useServices>['runner'], index: number): string | null {
  const vb = runner.sim?.vb;
  const vq = vb ? [vb.inflate_vq, vb.deflate_vq, vb.stats_vq].find((q) => q?.index === index) : null;
  return vq?.name ?? null;
}
