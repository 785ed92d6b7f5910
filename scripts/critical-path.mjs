// The critical-path budget (design.md): what the browser must fetch before the lab can draw, gzipped
// at zlib's default level as a server would send it, at most 140 kB. That is index.html, the scripts
// and stylesheets it names (and the chunks it preloads), and the WebAssembly core they fetch. Fonts are not counted (they swap in), nor are the panels that
// load after the first paint. Run after `vite build`; exits 1 over budget.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 140; // kB of 1000 bytes
const dist = process.argv[2] ?? 'dist';
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const named = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="\.?\/?([^"]+\.(?:js|css))"/g)].map(
  (m) => m[1],
);
// The wasm the named scripts fetch: the core. (The real guest's emulator is fetched only in its mode.)
const scripts = named.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dist, f), 'utf8'));
const wasm = readdirSync(join(dist, 'assets'))
  .filter((f) => f.endsWith('.wasm') && scripts.some((text) => text.includes(f)))
  .map((f) => `assets/${f}`);
if (named.length === 0 || wasm.length === 0) {
  console.error(
    `critical path: found ${named.length} scripts/stylesheets and ${wasm.length} wasm in ${dist}`,
  );
  process.exit(1);
}
const rows = [['index.html', html], ...[...named, ...wasm].map((f) => [f, readFileSync(join(dist, f))])].map(
  ([file, body]) => ({ file, kb: gzipSync(body).length / 1000 }),
);
const total = rows.reduce((s, r) => s + r.kb, 0);
for (const r of rows) console.log(`  ${r.kb.toFixed(1).padStart(6)} kB  ${r.file}`);
console.log(`critical path: ${total.toFixed(1)} kB gzip (budget ${BUDGET_KB} kB)`);
process.exit(total <= BUDGET_KB ? 0 : 1);
