// `npm run bench [-- --json]`: the project's benchmarks. Numbers, not pass/fail: the budgets are in
// design.md and the closing notes quote what this prints.
import { measureCold } from './cold.ts';
import { runGuestBench } from './guest.ts';
import { runPipelineBench } from './pipeline.ts';
import { runSeekBench } from './seek.ts';
import { runSimBench } from './sim.ts';

const json = process.argv.includes('--json');
const pipeline = await runPipelineBench();
const sim = await runSimBench();
const cold = measureCold();
const seek = await runSeekBench();
const guest = await runGuestBench();

if (json) {
  process.stdout.write(`${JSON.stringify({ pipeline, sim, cold, seek, guest })}\n`);
} else {
  process.stdout.write(
    'wasm pipeline (fill 256-PFN batches → ring → device walk + decode → host table → used → ack)\n',
  );
  process.stdout.write('     pages   wasm ns/page    twin ns/page   ratio   wasm pages/s\n');
  for (const r of pipeline) {
    process.stdout.write(
      `${String(r.pages).padStart(10)} ${r.wasm_ns_per_page.toFixed(2).padStart(14)} ${r.ts_ns_per_page.toFixed(2).padStart(15)} ${r.ratio.toFixed(2).padStart(7)}x ${r.wasm_pages_per_s.toLocaleString('en-US').padStart(14)}\n`,
    );
  }
  process.stdout.write('budget: wasm ≤ 3 ns/page at 4M pages and ≥ 1.5× the twin\n\n');
  process.stdout.write(
    'whole simulation: 16 GiB guest → 1 GiB logical size → back (allocator, driver, device, core)\n',
  );
  process.stdout.write(
    `  ${sim.pages_each_way.toLocaleString('en-US')} pages each way, ${sim.batches.toLocaleString('en-US')} batches: ` +
      `${sim.wall_ms} ms with the trace recorded, ${sim.wall_ms_no_trace} ms without (${sim.ns_per_page} ns/page)\n`,
  );
  process.stdout.write('budget: ≤ 120 ms (warm: best of 3 after a warm-up)\n\n');
  process.stdout.write('cold `npm run sim` (a fresh Node process each, best of 3): the same round trip\n');
  process.stdout.write(
    `  ${cold.big_ms} ms; a 64 MiB guest ${cold.tiny_ms} ms; the round trip beyond start-up ${cold.beyond_startup_ms} ms\n`,
  );
  process.stdout.write('budget: ≤ 300 ms beyond start-up\n\n');
  process.stdout.write(
    'seeking in the 16 GiB scenario (big-guest.json), through the runner and its checkpoints\n',
  );
  process.stdout.write(
    `  step back at the end: ${seek.step_back_ms} ms (a replay from the start: ${seek.step_back_before_ms} ms); ` +
      `${seek.seeks} seeks back and forth: median ${seek.seek_median_ms} ms, max ${seek.seek_max_ms} ms\n` +
      `  ${seek.checkpoints} checkpoints, ${seek.checkpoint_mb} MB; playing to the end ${seek.play_ms} ms ` +
      `(${seek.play_bare_ms} ms without checkpoints)\n`,
  );
  process.stdout.write(
    'budget: any seek ≤ 100 ms (in Chromium: npm run bench:app, e2e/seek.bench.spec.ts)\n',
  );
  process.stdout.write(
    '\nthe real guest (Linux 6.1 in v86, 128 MiB) with Balloon Lab’s device, in Node, best of 3\n',
  );
  process.stdout.write(
    guest.restore_ms === null
      ? `  no saved state (npm run guest -- --save-state): a cold boot to a shell ${guest.cold_boot_ms} ms\n`
      : `  restore to a shell ${guest.restore_ms} ms; `,
  );
  process.stdout.write(`a 32 MiB inflate to actual = 8,192 pages ${guest.inflate_32mib_ms} ms\n`);
  process.stdout.write(
    'budget: in Chromium, to a shell ≤ 3 s (npm run bench:app, e2e/real-guest.bench.spec.ts)\n',
  );
}
