// The app's one rule about the simulation (src/CONTEXT.md): it reads a run through the read model
// (src/sim/view.ts, and view-frame.ts: its words for a frame) and the runner (sim-runner.ts), and speaks the scenario file's language
// (scenario.ts, scenario-steps.ts, and inputs.ts: what a typed value becomes); it never imports the simulation's insides. Checked here over
// every import of every file under src/app, tests included.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What any file of the app may import from src/sim. */
const OPEN = new Set([
  'sim/view.ts',
  'sim/view-frame.ts',
  'sim/scenario.ts',
  'sim/scenario-steps.ts',
  'sim/inputs.ts',
]);
/** The runner plays what src/sim builds: it alone may reach the simulation, the replayer and the summary. */
const RUNNER = 'app/sim-runner.ts';
/** The driver view shows the port's source as text (a `?raw` import is a string, not code). */
const TEXT = new Set(['sim/driver/virtio_balloon.ts?raw']);
/**
 * The real guest runs in its worker (src/guest/worker.ts, started by URL): the page imports only what
 * the worker says (protocol.ts) and the page's copy of the rings (ring-mirror.ts), never v86's seam,
 * the device or the machine, which would pull the emulator into the page.
 */
const GUEST_OPEN = new Set(['guest/protocol.ts', 'guest/ring-mirror.ts']);
/** Tests build whole simulations with the test helpers. */
const TEST_HELPERS = new Set(['sim/testing.ts']);

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

/** The imports of `file` (a path under src/) that break the rule, as "file → target". */
function badImports(file: string, text: string): string[] {
  const bad: string[] = [];
  const isTest = /\.test\.tsx?$/.test(file);
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1];
    if (!spec.startsWith('.')) continue;
    const [path, query] = spec.split('?');
    const target = relative(SRC, resolve(SRC, dirname(file), path))
      .split('\\')
      .join('/');
    if (target.startsWith('guest/')) {
      if (!GUEST_OPEN.has(target)) bad.push(`${file} → ${target}`);
      continue;
    }
    if (!target.startsWith('sim/')) continue;
    const named = query === undefined ? target : `${target}?${query}`;
    const ok = OPEN.has(named) || file === RUNNER || TEXT.has(named) || (isTest && TEST_HELPERS.has(named));
    if (!ok) bad.push(`${file} → ${named}`);
  }
  return bad;
}

function appFiles(dir = join(SRC, 'app')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return appFiles(p);
    return /\.tsx?$/.test(e.name) ? [relative(SRC, p).split('\\').join('/')] : [];
  });
}

describe('the app reaches the simulation only through the read model and the runner, the real guest only through its worker', () => {
  it('holds for every file under src/app', () => {
    // This file's own examples below are strings, not imports.
    const files = appFiles().filter((f) => f !== 'app/imports.test.ts');
    expect(files.length).toBeGreaterThan(40);
    const bad = files.flatMap((f) => badImports(f, readFileSync(join(SRC, f), 'utf8')));
    expect(bad).toEqual([]);
  });

  it('catches an import of the simulation’s insides, static, re-exported or dynamic', () => {
    const f = 'app/panels/X.tsx';
    expect(badImports(f, "import { KernelLog } from '../../sim/klog.ts';")).toEqual([
      'app/panels/X.tsx → sim/klog.ts',
    ]);
    expect(badImports(f, "export { x } from '../../sim/guest/kernel.ts';")).toHaveLength(1);
    expect(badImports(f, "const m = await import('../../sim/trace-replay.ts');")).toHaveLength(1);
    expect(badImports(f, "import type { Series } from '../../sim/sim.ts';")).toHaveLength(1);
    expect(badImports(f, "import { meminfoOf } from '../../sim/view.ts';")).toEqual([]);
    expect(badImports(f, "import { BalloonCore } from '../../core/core.ts';")).toEqual([]);
    expect(badImports('app/sim-runner.ts', "import { Simulation } from '../sim/sim.ts';")).toEqual([]);
    expect(badImports('app/x.test.ts', "import { newSim } from '../sim/testing.ts';")).toEqual([]);
    expect(badImports('app/x.ts', "import { newSim } from '../sim/testing.ts';")).toHaveLength(1);
    expect(badImports('app/guest/G.tsx', "import type { ToGuest } from '../../guest/protocol.ts';")).toEqual(
      [],
    );
    expect(badImports('app/guest/G.tsx', "import { GuestMachine } from '../../guest/machine.ts';")).toEqual([
      'app/guest/G.tsx → guest/machine.ts',
    ]);
  });
});
