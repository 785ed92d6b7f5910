// Which view of memory the map shows: both side by side, the guest's, or the host's.
import type { ViewMode } from './camera.ts';

const VIEWS: { mode: ViewMode; label: string }[] = [
  { mode: 'split', label: 'Side by side' },
  { mode: 'guest', label: "Guest's view" },
  { mode: 'host', label: "Host's view" },
];

export function ViewToggle({
  name,
  view,
  onChange,
}: {
  name: string;
  view: ViewMode;
  onChange(view: ViewMode): void;
}) {
  return (
    <fieldset className="segmented">
      <legend className="sr-only">Show</legend>
      {VIEWS.map((v) => (
        <label key={v.mode}>
          <input
            type="radio"
            name={name}
            value={v.mode}
            checked={view === v.mode}
            onChange={() => onChange(v.mode)}
          />
          {v.label}
        </label>
      ))}
    </fieldset>
  );
}
