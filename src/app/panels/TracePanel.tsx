// A real QEMU trace, replayed: what the trace says (targets, actual, batches) beside the map.
import { type Playable, traceOf, traceViewOf } from '../../sim/view.ts';
import { useRunner } from '../context.tsx';
import { mib, pages } from '../format.ts';

export function traceView(p: Playable | null) {
  const t = traceOf(p);
  return t ? traceViewOf(t) : null;
}

export function TracePanel() {
  const r = useRunner(traceView);
  if (!r) {
    return (
      <p className="panel muted" data-testid="trace.none">
        No QEMU trace is open. <em>Load QEMU trace…</em> in the header replays one (a real VM's{' '}
        <code>-trace virtio_balloon_*</code> output) beside the map.
      </p>
    );
  }
  const { target, inflates, deflates, stats } = r;
  return (
    <section className="panel trace" aria-labelledby="trace-title" data-panel="trace">
      <h2 id="trace-title">Replaying a QEMU trace</h2>
      <dl className="facts">
        <div>
          <dt>Guest RAM (inferred: target + num_pages)</dt>
          <dd>{mib(r.ramBytes, 0)}</dd>
        </div>
        <div>
          <dt>
            Target (<code>virtio_balloon_to_target</code>)
          </dt>
          <dd data-testid="trace.target" data-measure="numPages">
            {target ? `${mib(target.targetBytes, 0)}, num_pages ${pages(target.numPages)}` : 'none yet'}
          </dd>
        </div>
        <div>
          <dt>
            <code>actual</code> (<code>virtio_balloon_set_config</code>)
          </dt>
          <dd data-testid="trace.actual" data-measure="actual">
            {pages(r.actual)} pages
          </dd>
        </div>
        <div>
          <dt>Buffers applied</dt>
          <dd data-testid="trace.batches">
            {r.batchesApplied} of {inflates + deflates}
          </dd>
        </div>
        <div>
          <dt>In the trace</dt>
          <dd>
            {inflates} inflate, {deflates} deflate, {stats} stats pops
          </dd>
        </div>
      </dl>
      {r.warnings.length > 0 && (
        <details>
          <summary>{r.warnings.length} note(s) from the parser</summary>
          <ul>
            {r.warnings.slice(0, 20).map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </details>
      )}
      <p className="muted">
        A trace records only what the device saw; the guest's own use of memory is unknown, so the map shows
        it as kernel memory.
      </p>
    </section>
  );
}
