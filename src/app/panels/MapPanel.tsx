// Every frame of the guest, coloured by state: the guest's view and the host's view of the same
// memory, side by side (the contrast is the lesson). The map reads the core itself every animation
// frame; React only passes it the settings, and the PFNs of the descriptor selected in the inspector
// to outline.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { BalloonCore } from '../../core/core.ts';
import type { Pfn } from '../../core/units.ts';
import { type Playable, queuesOf, simulationOf } from '../../sim/view.ts';

type FrameWords = typeof import('../../sim/view-frame.ts');

import { useApp, useRunner, useServices } from '../context.tsx';
import { lessonStore } from '../lesson/state.ts';
import { describeHighlight, highlightOf, MemoryMap, MemoryMapLegend, ViewToggle } from '../memmap/index.ts';

/**
 * What the panel around the map shows: which run (a new one makes the map upload everything), the
 * legend's counts, and the queues' names. The map itself reads the frame table every animation
 * frame, not through React.
 */
export function mapView(core: BalloonCore) {
  return (p: Playable | null) => {
    if (!p) return null;
    const sim = simulationOf(p);
    return {
      run: p,
      guestCounts: core.stateCounts(),
      hostCounts: core.hostCounts(),
      queues: sim ? queuesOf(sim).map(({ index, name }) => ({ index, name })) : [],
    };
  };
}

export function MapPanel() {
  const { core, runner, store } = useServices();
  const select = useMemo(() => mapView(core), [core]);
  const view = useRunner(select);
  const mapSide = useApp((s) => s.mapView);
  const theme = useApp((s) => s.theme);
  const highlight = useApp((s) => s.highlight);
  const selected = useApp((s) => s.selectedDescriptor);
  // The words for a hovered frame load after the map's first picture.
  const [words, setWords] = useState<FrameWords | null>(null);
  useEffect(() => {
    let live = true;
    import('../../sim/view-frame.ts').then((m) => live && setWords(m));
    return () => {
      live = false;
    };
  }, []);
  const describe = useCallback(
    (pfn: Pfn) => {
      const sim = simulationOf(runner.playable);
      return sim && words ? words.describeFrame(sim, pfn) : undefined;
    },
    [runner, words],
  );
  const ramFrames = core.ramFrames;
  const shown = useMemo(() => highlightOf(highlight, ramFrames), [highlight, ramFrames]);
  const said = highlight.length ? describeHighlight(shown) : '';
  // A lesson's outline says what it is ("the balloon: 40,960 PFNs highlighted, …").
  const lessonLabel = useStore(lessonStore, (s) => s.marks.map);
  if (!view) return null;
  const queue = selected ? (view.queues.find((q) => q.index === selected.queue)?.name ?? null) : null;
  const source =
    selected && queue
      ? `Descriptor ${selected.desc} of the ${queue} queue: `
      : lessonLabel
        ? `${lessonLabel[0].toUpperCase()}${lessonLabel.slice(1)}: `
        : '';
  return (
    <section className="panel map" aria-labelledby="map-title" data-panel="map">
      <div className="row wrap map-head">
        <h2 id="map-title">Guest memory, frame by frame</h2>
        <ViewToggle name="lab-map-view" view={mapSide} onChange={(v) => store.getState().setMapView(v)} />
      </div>
      <div className="row wrap map-highlight" data-active={said ? true : undefined}>
        <p role="status" data-testid="map.highlight" data-count={shown.frames}>
          {said
            ? `${source}${said}, outlined on the map.`
            : 'Nothing highlighted: pick a descriptor in the Rings tab to outline its PFNs.'}
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
        view={mapSide}
        describe={describe}
        highlight={highlight}
      />
      <div className="map-legends">
        {mapSide !== 'host' && <MemoryMapLegend view="guest" theme={theme} counts={view.guestCounts} />}
        {mapSide !== 'guest' && <MemoryMapLegend view="host" theme={theme} counts={view.hostCounts} />}
      </div>
    </section>
  );
}
