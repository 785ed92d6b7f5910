// The Guest tab: the guest's workloads and dmesg (its numbers are GuestNumbers.tsx, always in sight).
// The controls here are the guest's own doings (a program allocating memory, compaction, suspend), not
// the host's.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { checkWorkloadText } from '../../sim/inputs.ts';
import type { Step } from '../../sim/scenario-steps.ts';
import {
  compactionCountersOf,
  logTail,
  machineOf,
  type Playable,
  powerOf,
  simulationOf,
  workloadsOf,
} from '../../sim/view.ts';
import { useRunner, useServices } from '../context.tsx';
import { mib, pages } from '../format.ts';
import { describedBy, type FieldAnswer, FieldMessage } from './FieldMessage.tsx';

const KINDS = ['anon', 'file', 'shmem'] as const;
/** The compaction counters Linux keeps in /proc/vmstat, as the guest panel lists them. */
const VMSTAT_ROWS = [
  'compact_migrate_scanned',
  'compact_free_scanned',
  'compact_isolated',
  'balloon_migrate',
] as const;

/** What the guest panel shows: workloads, suspend state, dmesg's last lines. */
export function guestView(p: Playable | null) {
  const sim = simulationOf(p);
  if (!sim) return null;
  return {
    vmstat: compactionCountersOf(sim),
    workloads: workloadsOf(sim),
    power: powerOf(sim),
    dmesg: logTail(sim.log, 200),
    pageKiB: machineOf(sim).guestPageKiB,
  };
}

export function GuestPanel() {
  const view = useRunner(guestView);
  const { runner } = useServices();
  const [kind, setKind] = useState<(typeof KINDS)[number]>('anon');
  const [size, setSize] = useState('64');
  const [name, setName] = useState('');
  const [answer, setAnswer] = useState<FieldAnswer | null>(null);
  const logRef = useRef<HTMLOListElement>(null);
  const lastLine = view?.dmesg.at(-1)?.n ?? -1;
  useEffect(() => {
    const el = logRef.current;
    if (el && lastLine >= -1) el.scrollTop = el.scrollHeight;
  }, [lastLine]);
  if (!view) return null;
  const { workloads, power } = view;

  const start = (e: FormEvent) => {
    e.preventDefault();
    const c = checkWorkloadText(size, view.pageKiB);
    const wname = name.trim() || `${kind}${workloads.length + 1}`;
    const refused = c.ok ? runner.act({ at: 0, do: 'workload', kind, MiB: c.value, name: wname }) : c.error;
    if (refused) {
      setAnswer({ kind: 'error', text: `Workload ${c.ok ? 'name' : 'size'}: ${refused}` });
      return;
    }
    setAnswer(c.ok && c.note ? { kind: 'note', text: c.note } : null);
    setName('');
  };
  const act = (step: Step) => {
    const refused = runner.act(step);
    setAnswer(refused ? { kind: 'error', text: `${step.do}: ${refused}` } : null);
  };

  return (
    <section className="panel guest" aria-labelledby="guest-title">
      <h2 id="guest-title">Guest (Linux)</h2>
      <table className="meminfo" aria-label="/proc/vmstat: compaction">
        <caption>/proc/vmstat: compaction</caption>
        <tbody>
          {VMSTAT_ROWS.map((k) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td data-testid={`guest.${k}`}>{pages(view.vmstat[k])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row wrap" onSubmit={start} aria-label="Start a workload">
        <label htmlFor="wl-kind">Workload</label>
        <select id="wl-kind" value={kind} onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])}>
          {KINDS.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
        <label htmlFor="wl-size" className="sr-only">
          Size (MiB)
        </label>
        <input
          id="wl-size"
          inputMode="decimal"
          value={size}
          onChange={(e) => setSize(e.target.value)}
          size={5}
          {...describedBy('guest.workload-msg', answer)}
        />
        <span aria-hidden="true">MiB</span>
        <label htmlFor="wl-name" className="sr-only">
          Name
        </label>
        <input
          id="wl-name"
          placeholder="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          size={8}
        />
        <button type="submit">Start</button>
      </form>
      <FieldMessage id="guest.workload-msg" answer={answer} />
      {workloads.length > 0 && (
        <ul className="workloads" aria-label="Workloads">
          {workloads.map((w) => (
            <li key={w.name}>
              <span>
                {w.name}{' '}
                <small>
                  ({w.kind}, {mib(w.residentBytes, 0)} resident)
                </small>
              </span>
              <button type="button" onClick={() => act({ at: 0, do: 'free', name: w.name })}>
                Free
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="row wrap">
        <button type="button" onClick={() => act({ at: 0, do: 'compact' })}>
          Compact memory
        </button>
        {power.frozen ? (
          <button type="button" onClick={() => act({ at: 0, do: 'restore' })}>
            Resume
          </button>
        ) : (
          <button type="button" disabled={power.unplugged} onClick={() => act({ at: 0, do: 'freeze' })}>
            Suspend
          </button>
        )}
        <button type="button" disabled={power.unplugged} onClick={() => act({ at: 0, do: 'unplug' })}>
          Unplug device
        </button>
      </div>
      <h3 id="dmesg-title">dmesg</h3>
      <ol className="dmesg" ref={logRef} aria-labelledby="dmesg-title" data-testid="guest.dmesg">
        {view.dmesg.map(({ n, level, text }) => (
          <li key={n} data-level={level}>
            {text}
          </li>
        ))}
      </ol>
    </section>
  );
}
