// `npm run sim -- <scenario.json> [--trace out.trace] [--json]`: runs a scenario headless in Node,
// writes the QEMU-format trace if asked, and prints the summary (design.md, "Headless runner").

import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { BalloonCore } from '../src/core/core.ts';
import { loadCoreModuleSync } from '../src/core/wasm-node.ts';
import { parseScenario } from '../src/sim/scenario.ts';
import { type SimSummary, Simulation } from '../src/sim/sim.ts';

function usage(message: string): never {
  process.stderr.write(
    `sim: ${message}\nusage: npm run sim -- <scenario.json> [--trace out.trace] [--json]\n`,
  );
  process.exit(2);
}

const args = process.argv.slice(2);
let file: string | undefined;
let tracePath: string | undefined;
let json = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--json') json = true;
  else if (a === '--trace') {
    tracePath = args[++i];
    if (!tracePath) usage('--trace needs a file name');
  } else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else if (file) usage(`one scenario at a time (got ${file} and ${a})`);
  else file = a;
}
if (!file) usage('no scenario file given');

let text: string;
try {
  text = readFileSync(file, 'utf8');
} catch (e) {
  usage(`cannot read ${file}: ${(e as Error).message}`);
}
const parsed = parseScenario(text);
if (!parsed.ok) {
  process.stderr.write(
    `sim: ${file} is not a valid scenario:\n${parsed.errors.map((e) => `  ${e}`).join('\n')}\n`,
  );
  process.exit(2);
}

// Record only what this command prints or writes: the trace when asked for, never the plots' series.
const sim = new Simulation(parsed.scenario, BalloonCore.fromWasm(loadCoreModuleSync()), {
  recordCalls: false,
  trace: tracePath !== undefined,
  series: false,
});
sim.runToEnd();
const summary = sim.summary();

if (tracePath) {
  const out = createWriteStream(tracePath);
  for (const chunk of sim.trace.chunks()) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
else process.stdout.write(describeSummary(summary));
process.exit(0);

function describeSummary(s: SimSummary): string {
  const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
  const lines = [
    `scenario   ${s.scenario} (seed ${s.seed}), ran to ${s.time_s.toFixed(3)} s`,
    `target     ${s.target_bytes === null ? '(never set)' : mib(s.target_bytes)} logical size; num_pages ${s.num_pages}`,
    `actual     ${s.actual} pages; query-balloon says ${s.query_balloon_actual_bytes === null ? 'No balloon device has been activated' : mib(s.query_balloon_actual_bytes)}`,
    `guest      MemTotal ${mib(s.guest.MemTotal)}, MemFree ${mib(s.guest.MemFree)}, MemAvailable ${mib(s.guest.MemAvailable)}`,
    `host       RSS ${mib(s.host.rss_bytes)} of guest RAM`,
    `device     ${s.device.status_names.join(' | ') || '0'}; features ${s.device.features.join(', ')}`,
    `counters   ${Object.entries(s.counters)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ];
  if (s.errors.length)
    lines.push(...s.errors.map((e) => `error      at ${e.at_s.toFixed(6)} s: ${e.kind}: ${e.message}`));
  else lines.push('errors     none');
  return `${lines.join('\n')}\n`;
}
