// The trace of a run (design.md, "Trace"): QEMU-compatible text lines, recorded compactly, parsed
// back from the sim or from a real QEMU, and summarised for replay. One module to import; the parts:
//   trace-format.ts    line and argument text, the sim's vq/elem ids, `balloonlab_` event fields
//   trace-recorder.ts  TraceRecorder: events as typed arrays, text streamed on demand
//   trace-parse.ts     parseTrace: text → typed events
//   trace-summary.ts   summarizeTrace: queues and their roles, batches, actual and target over time
export {
  BALLOON_EVENT_OPAQUE,
  EVENT_NAMES,
  formatArgs,
  formatFields,
  hex,
  parseFields,
  RAM_SECTION_NAME,
  SIM_EVENT_PREFIX,
  SIM_PID,
  type TraceFields,
  type TraceFieldValue,
  traceElemId,
  VQ_BY_QUEUE_INDEX,
  VQ_DEFLATE,
  VQ_INFLATE,
  VQ_STATS,
} from './trace-format.ts';
export {
  type BadAddrLine,
  type BalloonEventLine,
  type FlushLine,
  type GetConfigLine,
  type HandleOutputLine,
  type PopLine,
  parseTrace,
  type SetConfigLine,
  type SimEventLine,
  type ToTargetLine,
  type TraceEvent,
  type TraceParseResult,
  type UnknownEventLine,
} from './trace-parse.ts';
export { TraceRecorder, traceHandleOutput } from './trace-recorder.ts';
export {
  type ActualChange,
  type QueueRole,
  type QueueSummary,
  summarizeTrace,
  type TargetChange,
  type TraceBatch,
  type TraceSummary,
} from './trace-summary.ts';
