// The memory map as a React component: a thin shell around MapController. It renders the DOM once and
// passes props along; the frames themselves are read from the core inside requestAnimationFrame by the
// core's frame loop and never pass through React state.
import { useEffect, useId, useRef } from 'react';
import type { Pfn } from '../../core/units.ts';
import type { ViewMode } from './camera.ts';
import { MapController, type RendererChoice } from './controller.ts';
import { frameLoopFor, type MapCore } from './frame-loop.ts';
import type { Describe } from './inspect.ts';
import type { Theme } from './palette.ts';
import './memmap.css';

export interface MemoryMapProps {
  /** The tables to draw: a BalloonCore (after init), or anything with its frames/host/dirty/clearDirty. */
  core: MapCore;
  /**
   * Bump to redraw everything: for changes the dirty bytes do not record. Ordinary changes need
   * nothing; the map picks them up from the dirty bytes every animation frame.
   */
  version?: number;
  theme: Theme;
  /** The guest's frame states, the host's backing, or both side by side. */
  view: ViewMode;
  /** A cell was clicked, tapped, or chosen with Enter on the keyboard cursor. */
  onSelect?: (pfn: Pfn) => void;
  /** Who owns a frame, when the caller knows (shown in the tooltip and the descriptions). */
  describe?: Describe;
  /**
   * PFNs to outline on the map (a descriptor's buffer, say); those past the end of RAM are left out.
   * A new list brings the frames into view when they are not. Pass the same array while it holds.
   */
  highlight?: ArrayLike<number>;
  /** Defaults to WebGL2 where there is one. */
  renderer?: RendererChoice;
  className?: string;
}

const NO_PFNS: readonly number[] = [];

export function MemoryMap({
  core,
  version = 0,
  theme,
  view,
  onSelect,
  describe,
  highlight = NO_PFNS,
  renderer = 'auto',
  className,
}: MemoryMapProps) {
  const id = useId();
  const region = useRef<HTMLElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const tooltip = useRef<HTMLDivElement>(null);
  const inspector = useRef<HTMLParagraphElement>(null);
  const live = useRef<HTMLParagraphElement>(null);
  const controller = useRef<MapController | null>(null);
  // The latest props, for the controller's creation without making them dependencies of it.
  const latest = useRef({ theme, view, describe, onSelect, highlight });
  latest.current = { theme, view, describe, onSelect, highlight };

  useEffect(() => {
    const p = latest.current;
    const c = new MapController({
      region: region.current!,
      stage: stage.current!,
      tooltip: tooltip.current!,
      inspector: inspector.current!,
      live: live.current!,
      renderer,
      theme: p.theme,
      mode: p.view,
      describe: p.describe,
      onSelect: p.onSelect,
    });
    c.setHighlight(p.highlight);
    controller.current = c;
    const remove = frameLoopFor(core).add(c);
    return () => {
      remove();
      c.dispose();
      controller.current = null;
    };
  }, [core, renderer]);

  useEffect(() => controller.current?.setTheme(theme), [theme]);
  useEffect(() => controller.current?.setMode(view), [view]);
  useEffect(() => controller.current?.setDescribe(describe), [describe]);
  useEffect(() => controller.current?.setOnSelect(onSelect), [onSelect]);
  useEffect(() => controller.current?.setHighlight(highlight), [highlight]);
  const seenVersion = useRef(version);
  useEffect(() => {
    if (version === seenVersion.current) return;
    seenVersion.current = version;
    controller.current?.invalidate();
  }, [version]);

  return (
    <div className={['memmap', className].filter(Boolean).join(' ')} data-testid="memmap">
      <div className="memmap-toolbar">
        <button type="button" onClick={() => controller.current?.zoomBy(0.5)} aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={() => controller.current?.zoomBy(2)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => controller.current?.fit()}>
          Fit
        </button>
        {highlight.length > 0 ? (
          <button type="button" onClick={() => controller.current?.zoomToHighlight()}>
            Zoom to highlight
          </button>
        ) : null}
        <span className="memmap-hint" id={`${id}-help`}>
          Drag to pan, wheel or pinch to zoom. Focused: arrows move the cursor, + − zoom, 0 fits.
        </span>
      </div>
      <section
        ref={region}
        className="memmap-viewport"
        aria-label="Memory map"
        aria-describedby={`${id}-help`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the map is one keyboard-operated widget: arrows move its cursor
        tabIndex={0}
      >
        <div ref={stage} className="memmap-stage" />
        <div ref={tooltip} className="memmap-tooltip" role="tooltip" data-testid="memmap.tooltip" hidden />
      </section>
      <p ref={inspector} className="memmap-inspector mono" data-testid="memmap.inspector" />
      <p ref={live} id={`${id}-live`} className="sr-only" aria-live="polite" data-testid="memmap.live" />
    </div>
  );
}
