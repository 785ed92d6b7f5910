// The memory map on the demo guest (seed.ts): both views, their legends, and a way to switch between
// them. Replace with the simulation's panels once it runs in the page.
import { useMemo, useState } from 'react';
import type { BalloonCore } from '../../core/core.ts';
import type { Pfn } from '../../core/units.ts';
import {
  frameLoopFor,
  MemoryMap,
  MemoryMapLegend,
  type RendererChoice,
  type Theme,
  type ViewMode,
  ViewToggle,
} from '../memmap/index.ts';
import { describeDemo, seedDemo } from './seed.ts';

declare global {
  interface Window {
    /** The demo's core and frame loop, for the end-to-end tests and the map benchmark. */
    balloonLabDemo?: {
      core: BalloonCore;
      loop: ReturnType<typeof frameLoopFor>;
      seed(ramFrames: number): void;
    };
  }
}

/** Creates the demo guest on a fresh core and exposes it to tests as window.balloonLabDemo. */
export function startDemo(core: BalloonCore): void {
  seedDemo(core);
  window.balloonLabDemo = { core, loop: frameLoopFor(core), seed: (ramFrames) => seedDemo(core, ramFrames) };
}

function rendererFromUrl(): RendererChoice {
  const r = new URLSearchParams(window.location.search).get('renderer');
  return r === 'canvas2d' || r === 'webgl2' ? r : 'auto';
}

export function MemoryMapDemo({ core, theme }: { core: BalloonCore; theme: Theme }) {
  const [view, setView] = useState<ViewMode>('split');
  const [selected, setSelected] = useState<Pfn | null>(null);
  // The demo picture does not change, so its counts are read once.
  const counts = useMemo(() => ({ guest: core.stateCounts(), host: core.hostCounts() }), [core]);
  const describe = useMemo(() => describeDemo(core), [core]);
  const renderer = useMemo(rendererFromUrl, []);
  return (
    <section className="demo-map" aria-labelledby="demo-map-title">
      <div className="demo-map-head">
        <h2 id="demo-map-title">A 16 GiB guest, frame by frame</h2>
        <ViewToggle name="memmap-view" view={view} onChange={setView} />
      </div>
      <p className="demo-map-note">
        One cell per 4 KiB frame, 4,194,304 of them. A still picture for now: the simulation will move the
        balloon through it.{' '}
        {selected !== null && <span data-testid="demo.selected">Selected PFN {selected}.</span>}
      </p>
      <MemoryMap
        core={core}
        theme={theme}
        view={view}
        describe={describe}
        onSelect={setSelected}
        renderer={renderer}
      />
      <div className="demo-legends">
        {view !== 'host' && <MemoryMapLegend view="guest" theme={theme} counts={counts.guest} />}
        {view !== 'guest' && <MemoryMapLegend view="host" theme={theme} counts={counts.host} />}
      </div>
    </section>
  );
}
