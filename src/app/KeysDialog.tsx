// The `?` dialog: every command that has a key, from the command list, grouped.
import { useEffect, useRef } from 'react';
import { COMMANDS, type CommandGroup } from './commands.ts';
import { useServices } from './context.tsx';

const GROUPS: CommandGroup[] = ['Playback', 'Steps', 'Speed', 'View'];

export function KeysDialog() {
  const { store } = useServices();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal?.();
  }, []);
  return (
    <dialog
      ref={ref}
      className="help"
      aria-labelledby="help-title"
      onClose={() => store.getState().setShowHelp(false)}
    >
      <h2 id="help-title">Keyboard shortcuts</h2>
      {GROUPS.map((g) => (
        <section key={g} aria-label={g}>
          <h3>{g}</h3>
          <dl>
            {COMMANDS.filter((c) => c.group === g).map((c) => (
              <div key={c.id}>
                <dt>
                  <kbd>{c.keys}</kbd>
                </dt>
                <dd>{c.label}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}
