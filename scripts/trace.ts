// `npm run trace -- <file> [--json]`: reads a balloon trace (QEMU's `-trace virtio_balloon_*,
// virtqueue_pop,virtqueue_flush,balloon_event`, or one Balloon Lab exported) and prints what the app
// would replay: the queues and their roles, the batches and PFNs per queue, the targets, `actual`
// over time, and what did not fit. A file that cannot be read or parsed gets a message and exit 2.
import { readFileSync } from 'node:fs';
import { parseTrace } from '../src/sim/trace-parse.ts';
import { summarizeTrace, type TraceBatch, type TraceSummary } from '../src/sim/trace-summary.ts';

function fail(message: string): never {
  process.stderr.write(`trace: ${message}\nusage: npm run trace -- <file> [--json]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let file: string | undefined;
let json = false;
for (const a of args) {
  if (a === '--json') json = true;
  else if (a.startsWith('--')) fail(`unknown option ${a}`);
  else if (file) fail(`one trace at a time (got ${file} and ${a})`);
  else file = a;
}
if (!file) fail('no trace file given');

let text: string;
try {
  text = readFileSync(file, 'utf8');
} catch (e) {
  fail(`cannot read ${file}: ${(e as Error).message}`);
}
const parsed = parseTrace(text);
if (!parsed.ok) fail(`${file} is not a balloon trace: ${parsed.error}`);
if (parsed.events.length === 0) fail(`${file} holds no trace lines (only comments or blank lines)`);
const summary = summarizeTrace(parsed.events);
const warnings = [...parsed.warnings, ...summary.warnings];

/** The PFNs of a batch as runs: "0x80ef-0x81ee (256)", or single PFNs. */
function pfnRuns(pfns: Uint32Array): string[] {
  const runs: string[] = [];
  let i = 0;
  while (i < pfns.length) {
    let j = i;
    const step = pfns[i + 1] === pfns[i] + 1 ? 1 : pfns[i + 1] === pfns[i] - 1 ? -1 : 0;
    if (step !== 0) while (j + 1 < pfns.length && pfns[j + 1] === pfns[j] + step) j++;
    const hex = (n: number) => `0x${n.toString(16)}`;
    runs.push(j === i ? hex(pfns[i]) : `${hex(pfns[i])}-${hex(pfns[j])}`);
    i = j + 1;
  }
  return runs;
}

const seconds = (us: number) => (us / 1e6).toFixed(6);

function batchJson(b: TraceBatch) {
  return {
    vq: b.vq,
    role: b.role,
    elem: b.elem,
    pop_s: seconds(b.popUs),
    flush_s: b.flushUs === undefined ? null : seconds(b.flushUs),
    line: b.popLine,
    pfns: b.pfns.length,
    pfn_runs: pfnRuns(b.pfns),
    bad_gpas: b.badGpas.map((g) => `0x${g.toString(16)}`),
  };
}

function toJson(s: TraceSummary) {
  return {
    file,
    origin_us: parsed.ok ? parsed.originUs : 0,
    events: parsed.ok ? parsed.events.length : 0,
    roles: s.roles,
    queues: s.queues,
    batches: s.batches.map(batchJson),
    targets: s.targets.map((t) => ({
      s: seconds(t.us),
      target_bytes: t.targetBytes,
      num_pages: t.numPages,
      line: t.line,
    })),
    actual: s.actual.map((a) => ({ s: seconds(a.us), actual: a.actual, old: a.oldActual, line: a.line })),
    warnings,
  };
}

function describeSummary(s: TraceSummary): string {
  const out: string[] = [];
  out.push(`trace      ${file}: ${parsed.ok ? parsed.events.length : 0} events`);
  out.push('queues');
  for (const q of s.queues) {
    out.push(
      `  vq ${q.vq}  ${q.role.padEnd(8)} ${q.pops} buffers, ${q.pfns} PFNs (first on line ${q.firstLine})`,
    );
  }
  for (const role of ['inflate', 'deflate', 'stats', 'unknown'] as const) {
    const batches = s.batches.filter((b) => b.role === role);
    if (batches.length === 0) continue;
    out.push(`${role} batches (${batches.length})`);
    for (const b of batches) {
      const runs = pfnRuns(b.pfns);
      const pfns =
        role === 'stats' ? '' : ` ${b.pfns.length} PFNs${runs.length ? `: ${runs.join(' ')}` : ''}`;
      const bad = b.badGpas.length ? `; ${b.badGpas.length} not RAM (bad_addr)` : '';
      const flush = b.flushUs === undefined ? 'still held' : `flushed ${seconds(b.flushUs)}`;
      out.push(`  ${seconds(b.popUs)} vq ${b.vq} elem ${b.elem}${pfns}${bad}; ${flush}`);
    }
  }
  out.push(`targets (${s.targets.length})`);
  for (const t of s.targets)
    out.push(`  ${seconds(t.us)} target ${t.targetBytes} bytes, num_pages ${t.numPages}`);
  out.push(`actual (${s.actual.length} writes)`);
  for (const a of s.actual) out.push(`  ${seconds(a.us)} actual ${a.actual} (was ${a.oldActual})`);
  out.push(`errors and warnings (${warnings.length})`);
  for (const w of warnings) out.push(`  ${w}`);
  return `${out.join('\n')}\n`;
}

process.stdout.write(json ? `${JSON.stringify(toJson(summary), null, 2)}\n` : describeSummary(summary));
