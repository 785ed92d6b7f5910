// The comparison over the lab: a modal dialog holding the CompareView, closed with Close or Escape
// (the `#compare=` link goes with it); "Other scenarios…" opens the picker over it.
import { useEffect, useId, useRef } from 'react';
import { CompareView } from './CompareView.tsx';
import type { CompareLabels, CompareRunner } from './compare-runner.ts';
import { closeCompare, setComparePicker } from './compare-state.ts';

export function CompareOverlay({ runner, labels }: { runner: CompareRunner; labels: CompareLabels }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
  }, []);
  return (
    <dialog ref={ref} className="compare-dialog" aria-labelledby={id} onClose={() => closeCompare()}>
      <div className="row wrap compare-head">
        <h2 id={id}>
          Compare: {labels.left} <span className="compare-vs">and</span> {labels.right}
        </h2>
        <div className="row">
          <button type="button" onClick={() => setComparePicker(true)}>
            Other scenarios…
          </button>
          <button type="button" onClick={() => closeCompare()}>
            Close
          </button>
        </div>
      </div>
      <CompareView runner={runner} labels={labels} />
    </dialog>
  );
}
