// The picker: two bundled scenarios, left and right, to run side by side on one clock.
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useApp, useServices } from '../context.tsx';
import { openCompareFiles, setComparePicker } from './compare-state.ts';
import { compareStore } from './compare-store.ts';

export function CompareDialog() {
  const svc = useServices();
  const scenarios = useApp((s) => s.scenarios);
  const current = useApp((s) => s.currentFile);
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  // The comparison open now, else the lab's scenario and the next one.
  const files = useStore(compareStore, (s) => s.open?.files ?? null);
  const first = files?.left ?? current ?? scenarios[0]?.file ?? '';
  const [left, setLeft] = useState(first);
  const [right, setRight] = useState(files?.right ?? scenarios.find((s) => s.file !== first)?.file ?? first);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      // The picker closes as the comparison opens.
      await openCompareFiles(svc, left, right, { link: true });
    } catch (err) {
      setProblem(`The comparison could not be opened: ${err instanceof Error ? err.message : String(err)}`);
      setBusy(false);
    }
  };
  const select = (side: 'Left' | 'Right', value: string, set: (f: string) => void) => (
    <div className="compare-pick">
      <label htmlFor={`${id}-${side}`}>{side}</label>
      <select id={`${id}-${side}`} value={value} onChange={(e) => set(e.target.value)}>
        {scenarios.map((s) => (
          <option key={s.file} value={s.file} title={s.description}>
            {s.name}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <dialog
      ref={ref}
      className="compare-picker"
      aria-labelledby={`${id}-title`}
      onClose={() => setComparePicker(false)}
    >
      <h2 id={`${id}-title`}>Compare two scenarios</h2>
      <p>Both run side by side on one virtual clock: their memory maps and key numbers, aligned.</p>
      <form onSubmit={(e) => void submit(e)}>
        {select('Left', left, setLeft)}
        {select('Right', right, setRight)}
        {left === right && (
          <p className="compare-note">The same scenario on both sides runs the same way twice.</p>
        )}
        {problem && (
          <p className="alarm" role="alert">
            {problem}
          </p>
        )}
        <div className="row wrap">
          <button type="submit" disabled={busy || !left || !right}>
            Compare
          </button>
          <button type="button" onClick={() => setComparePicker(false)}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
