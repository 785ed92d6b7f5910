// `npm run bench [-- --json]`: the project's benchmarks. Numbers, not pass/fail: the budgets are in
// design.md and the closing notes quote what this prints.
import { runPipelineBench } from './pipeline.ts';
import { runSimBench } from './sim.ts';

const json = process.argv.includes('--json');
const pipeline = await runPipelineBench();
const sim = await runSimBench();

if (json) {
  process.stdout.write(`${JSON.stringify({ pipeline, sim })}\n`);
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
  process.stdout.write('budget: wasm ≤ 4 ns/page at 4M pages and ≥ 1.5× the twin\n\n');
  process.stdout.write(
    'whole simulation: 16 GiB guest → 1 GiB logical size → back (allocator, driver, device, core)\n',
  );
  process.stdout.write(
    `  ${sim.pages_each_way.toLocaleString('en-US')} pages each way, ${sim.batches.toLocaleString('en-US')} batches: ` +
      `${sim.wall_ms} ms with the trace recorded, ${sim.wall_ms_no_trace} ms without (${sim.ns_per_page} ns/page)\n`,
  );
  process.stdout.write('budget: ≤ 200 ms\n');
}
