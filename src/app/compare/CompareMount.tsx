// Where a comparison and its picker appear in the page: mounted once by the App. Both load when first
// opened, off the critical path.
import { lazy, Suspense } from 'react';
import { useStore } from 'zustand';
import { compareStore } from './compare-store.ts';

const CompareOverlay = lazy(() =>
  import('./CompareOverlay.tsx').then((m) => ({ default: m.CompareOverlay })),
);
const CompareDialog = lazy(() => import('./CompareDialog.tsx').then((m) => ({ default: m.CompareDialog })));

export function CompareMount() {
  const open = useStore(compareStore, (s) => s.open);
  const picking = useStore(compareStore, (s) => s.picking);
  return (
    <Suspense fallback={null}>
      {open && <CompareOverlay key={open.runner.serial} runner={open.runner} labels={open.labels} />}
      {/* Over the comparison when it asks for other scenarios. */}
      {picking && <CompareDialog />}
    </Suspense>
  );
}

/** The header's way in: opens the picker of two bundled scenarios. */
export function CompareButton() {
  return (
    <button type="button" onClick={() => compareStore.setState({ picking: true })}>
      Compare…
    </button>
  );
}
