// Folding: while a lesson stop names the panels that matter (the store's `focus`), every other panel
// folds to its heading; one click on the heading opens it again. With no focus, everything is open.
import { type ReactNode, useEffect, useState } from 'react';
import type { Panel } from '../../lessons/lesson.ts';
import { useApp } from '../context.tsx';

/** A panel that shows any of `panels` folds while a focus names none of them, unless the user opened it. */
export function isFolded(focus: readonly Panel[] | null, panels: readonly Panel[], opened: boolean): boolean {
  return focus !== null && !panels.some((p) => focus.includes(p)) && !opened;
}

/** Whether `panel` is folded now, and how to open it (until the focus changes). */
export function useFolded(panels: readonly Panel[]): [boolean, () => void] {
  const focus = useApp((s) => s.focus);
  const [opened, setOpened] = useState(false);
  // A new stop starts from what it names.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new focus is the change to hear
  useEffect(() => setOpened(false), [focus]);
  const folded = isFolded(focus, panels, opened);
  return [folded, () => setOpened(true)];
}

/** A panel that folds to a heading button; its content stays mounted (hidden) while folded. */
export function Fold({
  panel,
  title,
  className,
  children,
}: {
  panel: Panel;
  title: string;
  className?: string;
  children: ReactNode;
}) {
  const [folded, open] = useFolded([panel]);
  return (
    <div
      className={['fold', className].filter(Boolean).join(' ')}
      data-fold={panel}
      data-folded={folded || undefined}
    >
      {folded ? (
        <h2 className="fold-head">
          <button type="button" className="fold-open" aria-expanded="false" onClick={open}>
            {title} <span aria-hidden="true">▸</span>
          </button>
        </h2>
      ) : null}
      <div className="fold-body" hidden={folded}>
        {children}
      </div>
    </div>
  );
}
