// `npm run fuzz -- --cases N [--seed S] [--require-all]`: differential fuzzing of the wasm core against
// its twin. Exits non-zero on any trap, disagreement, unnamed error or hang, and prints how often each
// device error was provoked; --require-all also fails if any error kind was never provoked. The same
// run replays exactly from its seed.
import { Worker } from 'node:worker_threads';
import { ERR_COUNT } from '../src/core/abi.ts';
import { deviceErrorKind, driverErrors } from '../src/core/errors.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0 || v > 2 ** 32 - 1) {
    process.stderr.write(
      `fuzz: --${name} needs a whole number from 0 to 4294967295, got "${process.argv[i + 1] ?? ''}"\n`,
    );
    process.exit(2);
  }
  return v;
}

const cases = arg('cases', 10_000);
const seed = arg('seed', 1);
const hangAfterMs = arg('hang-ms', 60_000);
const requireAll = process.argv.includes('--require-all');

const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), {
  workerData: { cases, seed, entry: new URL('./fuzz-worker.ts', import.meta.url).href },
});

let lastProgress = 0;
let quietSince = process.hrtime.bigint();
const watchdog = setInterval(() => {
  const quietMs = Number(process.hrtime.bigint() - quietSince) / 1e6;
  if (quietMs > hangAfterMs) {
    process.stderr.write(
      `fuzz: HANG: no progress for ${Math.round(quietMs / 1000)} s after case ${lastProgress} (seed ${seed})\n`,
    );
    void worker.terminate();
    process.exit(3);
  }
}, 1000);

const started = process.hrtime.bigint();
worker.on(
  'message',
  (m: {
    type: string;
    done: number;
    ops: number;
    counts?: Record<string, number>;
    failed?: boolean;
    report?: string;
  }) => {
    lastProgress = m.done;
    quietSince = process.hrtime.bigint();
    if (m.type === 'progress') {
      if (m.done % 100_000 === 0) process.stdout.write(`fuzz: ${m.done} cases…\n`);
      return;
    }
    clearInterval(watchdog);
    const secs = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`fuzz: ${m.done} cases, ${m.ops} operations, seed ${seed}, ${secs.toFixed(1)} s\n`);
    const rows = Object.entries(m.counts ?? {}).sort((a, b) => b[1] - a[1]);
    process.stdout.write('fuzz: cases that raised each error:\n');
    for (const [name, n] of rows) process.stdout.write(`  ${name.padEnd(22)} ${n}\n`);
    const allKinds = [
      ...Array.from({ length: ERR_COUNT - 1 }, (_, i) => deviceErrorKind(i + 1))
        .filter((k) => k?.raised !== false)
        .map((k) => k?.name ?? ''),
      ...Object.values(driverErrors).map((k) => `driver:${k.name}`),
    ];
    const never = allKinds.filter((k) => !m.counts?.[k]);
    if (never.length > 0) process.stdout.write(`fuzz: never provoked: ${never.join(', ')}\n`);
    if (m.failed || (requireAll && never.length > 0)) {
      process.stderr.write(`fuzz: FAILED\n${m.report ?? ''}\n`);
      process.exit(1);
    }
    process.stdout.write('fuzz: clean (no trap, no disagreement, no unnamed error, no hang)\n');
    process.exit(0);
  },
);
worker.on('error', (e) => {
  clearInterval(watchdog);
  process.stderr.write(`fuzz: the worker died: ${e.stack ?? String(e)}\n`);
  process.exit(1);
});
