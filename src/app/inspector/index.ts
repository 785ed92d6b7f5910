// The virtqueue inspector and the driver view, and the helpers under them (for the memory map, a guided
// tour, or tests that want the same reading of the rings).
export {
  type DriverCall,
  DriverView,
  type DriverViewProps,
  formatVirtualTime,
  RECENT_CALLS,
  recentCalls,
} from './DriverView.tsx';
export { formatBytes, formatPages, hex, pfnGpaHex } from './format.ts';
export { hasNarration, narrate } from './narration.ts';
export { PfnBatchView } from './PfnBatchView.tsx';
export { QueuePanel, type QueuePanelProps } from './QueuePanel.tsx';
export {
  availSlotMark,
  type Buffer,
  type BufferContents,
  bufferContents,
  bufferOf,
  type Chain,
  type ChainError,
  DESC_FLAGS,
  type Descriptor,
  inspectQueue,
  isBadPfn,
  PAGE_ROWS,
  type PfnBatch,
  PHASES,
  type Phase,
  type QueueDetail,
  type QueueIndices,
  type Ring,
  readAvailEntry,
  readDescriptor,
  readIndices,
  readPfnBatch,
  readUsedEntry,
  rowWindow,
  type SlotMark,
  slotOf,
  u16Diff,
  usedSlotMark,
  walkChain,
} from './rings.ts';
export {
  DRIVER_SOURCE,
  DRIVER_SOURCE_PATH,
  driverSource,
  type FunctionSpan,
  findFunctions,
  seedLabel,
} from './source.ts';
export type { InspectorMode, InspectorQueue, InspectorSelection } from './types.ts';
export { VirtqueueInspector, type VirtqueueInspectorProps } from './VirtqueueInspector.tsx';
