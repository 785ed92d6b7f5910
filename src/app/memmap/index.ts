// The memory map: every 4 KiB frame of the guest as one cell, as the guest and as the host sees it.
export type { Camera, Grid, Pane, ViewMode } from './camera.ts';
export { MapController, type RendererChoice } from './controller.ts';
export { type FrameConsumer, FrameTimings, frameLoopFor, type MapCore, MapFrameLoop } from './frame-loop.ts';
export {
  type CellRect,
  describeHighlight,
  type FrameRun,
  type Highlight,
  highlightOf,
  highlightRects,
} from './highlight.ts';
export type { Describe, FrameFacts } from './inspect.ts';
export { MemoryMapLegend, type MemoryMapLegendProps } from './Legend.tsx';
export { MemoryMap, type MemoryMapProps } from './MemoryMap.tsx';
export { GUEST_STATES, HOST_STATES, type MapView, type StateInfo, type Theme } from './palette.ts';
export type { MapRenderer, MapScene, MapSource, RendererKind } from './renderer.ts';
export { ViewToggle } from './ViewToggle.tsx';
