// The keyboard: a key press runs the command (commands.ts) that has the key.
import { useEffect } from 'react';
import { runKey } from './commands.ts';
import { useServices } from './context.tsx';

/** Where a key belongs to the element: typing, or Space/Enter pressing a focused button or link. */
function elementOwnsKey(el: HTMLElement, key: string): boolean {
  if (el.closest('input, select, textarea, [contenteditable]')) return true;
  const pressable = 'button, a[href], summary, [role="button"], [role="tab"], [role="menuitem"]';
  return (key === ' ' || key === 'Enter') && el.closest(pressable) !== null;
}

export function useKeyboard(): void {
  const { runner, store } = useServices();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const el = e.target instanceof HTMLElement ? e.target : document.body;
      if (elementOwnsKey(el, e.key)) return;
      // A widget that took the key for itself (the map's cursor, the queue tabs, a table's rows) owns it.
      if (e.defaultPrevented) return;
      if (runKey(e, { runner, store })) e.preventDefault(); // keys that step must not scroll the page
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [runner, store]);
}
