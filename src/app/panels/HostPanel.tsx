// What QEMU's operator sees and does: the balloon target as the guest's logical size (QMP `balloon`),
// num_pages and actual, query-balloon, stats polling, the device's status and the VM's RSS.
import { type FormEvent, useState } from 'react';
import { checkBalloonText, checkStatsIntervalText } from '../../sim/inputs.ts';
import {
  balloonOf,
  deviceOf,
  formatTraceTime,
  logTail,
  machineOf,
  type Playable,
  simulationOf,
} from '../../sim/view.ts';
import { useRunner, useServices } from '../context.tsx';
import { mib, pages } from '../format.ts';
import { Gloss } from '../Gloss.tsx';
import { describedBy, type FieldAnswer, FieldMessage } from './FieldMessage.tsx';

/** What the host panel shows: the balloon's numbers, the device, the VM, QEMU's stderr. */
export function hostView(p: Playable | null) {
  const sim = simulationOf(p);
  if (!sim) return null;
  return {
    balloon: balloonOf(sim),
    device: deviceOf(sim),
    machine: machineOf(sim),
    hostLog: logTail(sim.hostLog, 50, (line) => `${formatTraceTime(line.us)} ${line.text}`),
    deviceErrors: sim.errors.length,
  };
}

const isTrace = (p: Playable | null) => p?.kind === 'trace';

export function HostPanel() {
  const view = useRunner(hostView);
  const tracing = useRunner(isTrace);
  const { runner } = useServices();
  const [target, setTarget] = useState('');
  const [interval, setInterval] = useState('');
  const [targetAnswer, setTargetAnswer] = useState<FieldAnswer | null>(null);
  const [intervalAnswer, setIntervalAnswer] = useState<FieldAnswer | null>(null);
  if (!view) {
    // A replayed QEMU trace has no simulated host to set: what the trace says is in its own tab.
    return tracing ? (
      <section className="panel host" aria-labelledby="host-title" data-panel="host">
        <h2 id="host-title">Host (QEMU)</h2>
        <p className="muted" data-testid="host.trace">
          A real QEMU recorded this run: its targets and <code>actual</code> are in the Trace tab, as the
          trace says them. There is no target to set here.
        </p>
      </section>
    ) : null;
  }
  const { balloon, device, machine } = view;
  const ramMiB = machine.memoryMiB;

  const applyTarget = (e: FormEvent) => {
    e.preventDefault();
    const c = checkBalloonText(target, ramMiB);
    const refused = c.ok ? runner.act({ at: 0, do: 'balloon', MiB: c.value }) : c.error;
    if (refused) setTargetAnswer({ kind: 'error', text: `Guest size (balloon target): ${refused}` });
    else setTargetAnswer(c.ok && c.note ? { kind: 'note', text: c.note } : null);
  };
  const applyInterval = (e: FormEvent) => {
    e.preventDefault();
    const c = checkStatsIntervalText(interval);
    const refused = c.ok ? runner.act({ at: 0, do: 'stats-interval', s: c.value }) : c.error;
    if (refused) setIntervalAnswer({ kind: 'error', text: `Stats polling interval: ${refused}` });
    else setIntervalAnswer(c.ok && c.note ? { kind: 'note', text: c.note } : null);
  };

  return (
    <section className="panel host" aria-labelledby="host-title" data-panel="host">
      <h2 id="host-title">Host (QEMU)</h2>
      <form className="row wrap target-form" onSubmit={applyTarget}>
        <label htmlFor="host-target">Guest size (balloon target, MiB)</label>
        <span className="row">
          <input
            id="host-target"
            data-testid="host.target"
            inputMode="decimal"
            placeholder={String(ramMiB)}
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            {...describedBy('host.target-msg', targetAnswer)}
          />
          <button type="submit" data-testid="host.apply">
            Set
          </button>
        </span>
      </form>
      <p className="field-note muted">
        QMP <code>balloon</code>: the size the guest should shrink or grow to; the{' '}
        <Gloss term="balloon target">balloon</Gloss> takes the rest.
      </p>
      <FieldMessage id="host.target-msg" answer={targetAnswer} />
      <dl className="facts big">
        <div>
          <dt>
            Guest size (<code>query-balloon</code>)
          </dt>
          <dd data-testid="host.query">
            {balloon.queryActualBytes === null ? balloon.queryError : mib(balloon.queryActualBytes, 0)}
          </dd>
        </div>
        <div>
          <dt>
            <Gloss term="host RSS" /> (guest RAM backed)
          </dt>
          <dd data-testid="host.rss" data-measure="hostRssMiB">
            {mib(balloon.hostRssBytes)}
          </dd>
        </div>
      </dl>
      <dl className="facts">
        <div>
          <dt>Guest size asked for</dt>
          <dd data-testid="host.asked" data-measure="targetMiB">
            {balloon.targetBytes === null ? 'not yet' : mib(balloon.targetBytes, 0)}
          </dd>
        </div>
        <div>
          <dt>
            <Gloss term="num_pages">
              <code>num_pages</code>
            </Gloss>{' '}
            — pages the host wants in the balloon
          </dt>
          <dd data-testid="host.num_pages" data-measure="numPages">
            {pages(balloon.numPages)} pages
          </dd>
        </div>
        <div>
          <dt>
            <Gloss term="actual">
              <code>actual</code>
            </Gloss>{' '}
            — pages the guest says it gave
          </dt>
          <dd data-testid="host.actual" data-measure="actual">
            {pages(balloon.actual)} pages
          </dd>
        </div>
        <div>
          <dt>
            still to move (<code>num_pages − actual</code>)
          </dt>
          <dd data-testid="host.gap" data-measure="gapPages">
            {pages(balloon.numPages - balloon.actual)} pages
          </dd>
        </div>
        <div>
          <dt>Device errors</dt>
          <dd data-testid="host.errors" data-measure="deviceErrors">
            {view.deviceErrors}
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd className="chips" data-testid="host.status">
            {device.statusNames.join(' · ') || '0'}
          </dd>
        </div>
      </dl>
      <details className="host-device">
        <summary>The machine and the device</summary>
        <dl className="facts">
          <div>
            <dt>Guest RAM</dt>
            <dd>{ramMiB} MiB</dd>
          </div>
          <div>
            <dt>
              <Gloss term="guest page vs host page">Page sizes</Gloss>
            </dt>
            <dd>
              guest {machine.guestPageKiB} KiB, host {machine.hostPageKiB} KiB
            </dd>
          </div>
          <div>
            <dt>Device</dt>
            <dd>{machine.legacy ? 'legacy (no VERSION_1)' : 'modern (VERSION_1)'}</dd>
          </div>
          <div>
            <dt>Features offered</dt>
            <dd className="chips" data-testid="host.offered">
              <Features names={machine.featuresOffered} none="none" />
            </dd>
          </div>
          <div>
            <dt>Features negotiated</dt>
            <dd className="chips" data-testid="host.negotiated">
              {device.negotiated ? <Features names={device.features} none="" /> : 'not yet'}
            </dd>
          </div>
        </dl>
      </details>
      {device.needsReset && (
        <p className="alarm" role="alert" data-testid="host.needs-reset">
          <Gloss term="NEEDS_RESET">DEVICE_NEEDS_RESET</Gloss> —{' '}
          {device.error?.message ?? 'the device stopped'}
        </p>
      )}
      {view.hostLog.length > 0 && (
        <>
          <h3 id="host-log-title">QEMU (stderr)</h3>
          <ol className="dmesg host-log" aria-labelledby="host-log-title" data-testid="host.log">
            {view.hostLog.map(({ n, level, text }) => (
              <li key={n} data-level={level}>
                {text}
              </li>
            ))}
          </ol>
        </>
      )}
      <form className="row" onSubmit={applyInterval}>
        <label htmlFor="host-interval">Stats polling (s)</label>
        <input
          id="host-interval"
          inputMode="numeric"
          // 0 means off (QEMU destroys its stats timer): say so where the number would be.
          placeholder={balloon.statsPollingIntervalS === 0 ? 'off' : String(balloon.statsPollingIntervalS)}
          title="Seconds between QEMU's requests for fresh stats; 0 turns polling off"
          value={interval}
          onChange={(e) => setInterval(e.target.value)}
          {...describedBy('host.interval-msg', intervalAnswer)}
        />
        <button type="submit">Set</button>
      </form>
      <FieldMessage id="host.interval-msg" answer={intervalAnswer} />
    </section>
  );
}

const GLOSSED_FEATURES = new Set(['MUST_TELL_HOST', 'STATS_VQ', 'DEFLATE_ON_OOM']);

/** Feature names, " · " between them, the ones the glossary explains as terms. */
function Features({ names, none }: { names: readonly string[]; none: string }) {
  if (names.length === 0) return <>{none}</>;
  return (
    <>
      {names.map((n, k) => (
        <span key={n}>
          {k > 0 ? ' · ' : ''}
          {GLOSSED_FEATURES.has(n) ? <Gloss term={n} /> : n}
        </span>
      ))}
    </>
  );
}
