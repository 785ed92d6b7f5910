// The driver's pfns[] array: the batch it is building or has just sent (num_pfns of its 256 slots), with
// a compact grid of all the slots. A PFN past the end of RAM is the classic bug QEMU quietly skips.
import { type ReactNode, useMemo } from 'react';
import { PFNS_MAX } from '../../core/abi.ts';
import type { Gpa } from '../../core/units.ts';
import { hex, pfnGpaHex } from './format.ts';
import { readPfnBatch } from './rings.ts';
import type { InspectorMode, RingMemory } from './types.ts';

const LISTED_BAD = 8;

export function PfnBatchView({
  core,
  pfns,
  version,
  mode,
}: {
  core: RingMemory;
  pfns: { gpa: Gpa; count: number };
  version: number;
  mode: InspectorMode;
}) {
  const { gpa, count } = pfns;
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is how the caller says guest memory changed
  const batch = useMemo(
    () => (mode === 'step' ? readPfnBatch(core, gpa, count) : null),
    [core, gpa, count, mode, version],
  );
  const n = Math.max(0, Math.min(count, PFNS_MAX));
  const heading = (
    <h3>
      The driver’s batch: <span className="vqi-spec">pfns[]</span>{' '}
      <span className="vqi-muted">
        (<span className="vqi-spec">num_pfns</span> = <span className="vqi-num">{n}</span> of {PFNS_MAX}{' '}
        slots, le32 each, at <span className="vqi-num">{hex(gpa)}</span>)
      </span>
    </h3>
  );
  if (!batch) {
    return (
      <section className="vqi-pfns" aria-label="The driver’s pfns[] batch" data-testid="vqi.pfns">
        {heading}
      </section>
    );
  }
  if (!batch.readable) {
    return (
      <section className="vqi-pfns" aria-label="The driver’s pfns[] batch" data-testid="vqi.pfns">
        {heading}
        <p className="vqi-muted">pfns[] is outside the guest memory the simulation keeps.</p>
      </section>
    );
  }
  const { slots, bad } = batch;
  const badSet = new Set(bad);
  const first = slots[0];
  const last = slots[n - 1];
  const cells: ReactNode[] = [];
  for (let i = 0; i < PFNS_MAX; i++) {
    const filled = i < n;
    const kind = !filled ? 'empty' : badSet.has(i) ? 'bad' : 'filled';
    const what = filled ? `PFN ${hex(slots[i])} at ${pfnGpaHex(slots[i])}` : 'not part of this batch';
    cells.push(
      <span
        key={i}
        className="vqi-cell"
        data-kind={kind}
        title={`pfns[${i}]: ${what}${kind === 'bad' ? ' (past the end of RAM)' : ''}`}
      />,
    );
  }
  return (
    <section className="vqi-pfns" aria-label="The driver’s pfns[] batch" data-testid="vqi.pfns">
      {heading}
      {n > 0 ? (
        <p>
          First PFN <span className="vqi-num">{hex(first)}</span> (guest address{' '}
          <span className="vqi-num">{pfnGpaHex(first)}</span>), last PFN{' '}
          <span className="vqi-num">{hex(last)}</span> (<span className="vqi-num">{pfnGpaHex(last)}</span>).
          Each PFN names one 4 KiB frame.
        </p>
      ) : (
        <p className="vqi-muted">No batch yet: num_pfns is 0.</p>
      )}
      <div className="vqi-grid-row">
        <div
          className="vqi-grid"
          role="img"
          aria-label={`pfns[] slots: ${n} of ${PFNS_MAX} filled${bad.length ? `, ${bad.length} past the end of RAM` : ''}`}
          data-testid="vqi.pfns.grid"
        >
          {cells}
        </div>
        <ul className="vqi-legend" aria-label="Legend of the pfns[] grid">
          <li>
            <span className="vqi-cell" data-kind="filled" /> in this batch
          </li>
          <li>
            <span className="vqi-cell" data-kind="bad" /> past the end of RAM (QEMU skips it)
          </li>
          <li>
            <span className="vqi-cell" data-kind="empty" /> not in this batch
          </li>
        </ul>
      </div>
      {bad.length > 0 ? (
        <p className="vqi-bad-list" data-testid="vqi.pfns.bad">
          <strong>Past the end of RAM</strong> (the guest has {core.ramFrames} frames, PFN 0 to{' '}
          {hex(core.ramFrames - 1)}):{' '}
          {bad.slice(0, LISTED_BAD).map((i, k) => (
            <span key={i} className="vqi-num">
              {k > 0 ? ', ' : ''}pfns[{i}] = {hex(slots[i])}
            </span>
          ))}
          {bad.length > LISTED_BAD ? ` and ${bad.length - LISTED_BAD} more` : ''}.
        </p>
      ) : null}
    </section>
  );
}
