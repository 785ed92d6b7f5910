// A real QEMU trace, replayed: what the trace says (targets, actual, batches) beside the map.
import { useRunnerVersion, useServices } from '../context.tsx';
import { mib, pages } from '../format.ts';

export function TracePanel() {
  useRunnerVersion();
  const { runner } = useServices();
  const r = runner.replay;
  if (!r) return null;
  const { summary } = r;
  const target = summary.targets.filter((t) => t.us <= r.nowUs).at(-1);
  const inflates = summary.batches.filter((b) => b.role === 'inflate').length;
  const deflates = summary.batches.filter((b) => b.role === 'deflate').length;
  const stats = summary.batches.filter((b) => b.role === 'stats').length;
  return (
    <section className="panel trace" aria-labelledby="trace-title">
      <h2 id="trace-title">Replaying a QEMU trace</h2>
      <dl className="facts">
        <div>
          <dt>Guest RAM (inferred: target + num_pages)</dt>
          <dd>{mib(r.ramFrames * 4096, 0)}</dd>
        </div>
        <div>
          <dt>
            Target (<code>virtio_balloon_to_target</code>)
          </dt>
          <dd data-testid="trace.target">
            {target ? `${mib(target.targetBytes, 0)}, num_pages ${pages(target.numPages)}` : 'none yet'}
          </dd>
        </div>
        <div>
          <dt>
            <code>actual</code> (<code>virtio_balloon_set_config</code>)
          </dt>
          <dd data-testid="trace.actual">{pages(r.actualAt())} pages</dd>
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
