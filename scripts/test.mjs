#!/usr/bin/env node
// `npm test`: every check the project has, in order, then one closing line `tests: N passed, N failed`.
// Gates (wasm build, type check, lint, fuzz, the real guest's saved state, app build, critical path) count as one check each;
// vitest and Playwright count their tests. A failing stage does not stop the ones after it (so one run shows everything that is
// wrong), except that nothing runs without the wasm build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = 'test-results';
mkdirSync(results, { recursive: true });

let passed = 0;
let failed = 0;

function run(label, cmd, args) {
  process.stdout.write(`\n── ${label}: ${cmd} ${args.join(' ')}\n`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  return res.status === 0;
}

function gate(label, cmd, args) {
  const ok = run(label, cmd, args);
  if (ok) passed++;
  else failed++;
  if (!ok) process.stdout.write(`✗ ${label} failed\n`);
  return ok;
}

function suite(label, cmd, args, reportFile, count) {
  rmSync(reportFile, { force: true });
  const ok = run(label, cmd, args);
  if (!existsSync(reportFile)) {
    failed++;
    process.stdout.write(`✗ ${label} wrote no report (${reportFile})\n`);
    return;
  }
  const { pass, fail } = count(JSON.parse(readFileSync(reportFile, 'utf8')));
  passed += pass;
  failed += fail;
  // A runner that failed without any failing test (a crash, an error outside tests) still fails.
  if (!ok && fail === 0) failed++;
  process.stdout.write(`${ok ? '✓' : '✗'} ${label}: ${pass} passed, ${fail} failed\n`);
}

const npx = 'npx';
if (gate('wasm build', 'npm', ['run', '--silent', 'asbuild'])) {
  gate('type check', npx, ['tsc', '--noEmit', '-p', 'tsconfig.json']);
  gate('lint', npx, ['biome', 'check', '.']);
  suite(
    'unit tests (vitest)',
    npx,
    ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/unit.json`],
    `${results}/unit.json`,
    (r) => ({ pass: r.numPassedTests, fail: r.numFailedTests }),
  );
  gate('fuzz (10,000 cases, wasm vs twin)', 'npm', [
    'run',
    '--silent',
    'fuzz',
    '--',
    '--cases',
    '10000',
    '--require-all',
  ]);
  // The real guest's saved machine, which the app restores (the Playwright spec of "Real guest" uses
  // it): a cold boot in Node with Balloon Lab's device, then save_state into public/guest/saved/.
  gate('real guest boots and saves its state', 'npm', ['run', '--silent', 'guest', '--', '--save-state']);
  if (gate('app build', npx, ['vite', 'build', '--logLevel', 'warn'])) {
    gate('critical path <= 140 kB gzip', 'node', ['scripts/critical-path.mjs']);
    suite(
      'end-to-end tests (Playwright)',
      npx,
      // The `@bench` specs measure, they do not check: `npm run bench:app` runs them alone.
      ['playwright', 'test', '--grep-invert', '@bench'],
      `${results}/e2e.json`,
      (r) => ({ pass: r.stats.expected + r.stats.flaky, fail: r.stats.unexpected }),
    );
  }
}

process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
