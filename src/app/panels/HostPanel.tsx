// What QEMU's operator sees and does: the balloon target as the guest's logical size (QMP `balloon`),
// num_pages and actual, query-balloon, stats polling, the device's status and the VM's RSS.
import { type FormEvent, useState } from 'react';
import { formatTraceTime } from '../../sim/clock.ts';
import { checkBalloonText, checkStatsIntervalText } from '../../sim/inputs.ts';
import { featureList, statusNames } from '../../sim/virtio/features.ts';
import { useRunnerVersion, useServices } from '../context.tsx';
import { lastLines, mib, pages } from '../format.ts';
import { describedBy, type FieldAnswer, FieldMessage } from './FieldMessage.tsx';

export function HostPanel() {
  useRunnerVersion();
  const { runner } = useServices();
  const sim = runner.sim;
  const [target, setTarget] = useState('');
  const [interval, setInterval] = useState('');
  const [targetAnswer, setTargetAnswer] = useState<FieldAnswer | null>(null);
  const [intervalAnswer, setIntervalAnswer] = useState<FieldAnswer | null>(null);
  if (!sim) return null;
  const { device, transport, scenario } = sim;
  const status = transport.getStatus();
  const needsReset = (status & 64) !== 0;
  const ramMiB = scenario.guest.memoryMiB;

  const applyTarget = (e: FormEvent) => {
    e.preventDefault();
    const c = checkBalloonText(target, ramMiB);
    const refused = c.ok ? runner.act({ at: 0, do: 'balloon', MiB: c.value }) : c.error;
    if (refused) setTargetAnswer({ kind: 'error', text: `Balloon target: ${refused}` });
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
    <section className="panel host" aria-labelledby="host-title">
      <h2 id="host-title">Host (QEMU)</h2>
      <form className="row" onSubmit={applyTarget}>
        <label htmlFor="host-target">Balloon target (MiB)</label>
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
      </form>
      <FieldMessage id="host.target-msg" answer={targetAnswer} />
      <dl className="facts big">
        <div>
          <dt>
            Guest size (<code>query-balloon</code>)
          </dt>
          <dd data-testid="host.query">{mib(device.queryBalloon().actual, 0)}</dd>
        </div>
        <div>
          <dt>Host RSS (guest RAM backed)</dt>
          <dd data-testid="host.rss">{mib(device.hostRss())}</dd>
        </div>
      </dl>
      <dl className="facts">
        <div>
          <dt>
            <code>num_pages</code> — target balloon size
          </dt>
          <dd data-testid="host.num_pages">{pages(device.numPages)} pages</dd>
        </div>
        <div>
          <dt>
            <code>actual</code> — what the guest says it gave
          </dt>
          <dd data-testid="host.actual">{pages(device.actual)} pages</dd>
        </div>
        <div>
          <dt>Guest RAM</dt>
          <dd>{ramMiB} MiB</dd>
        </div>
        <div>
          <dt>Page sizes</dt>
          <dd>
            guest {scenario.guest.pageKiB} KiB, host {scenario.device.hostPageKiB} KiB
          </dd>
        </div>
        <div>
          <dt>Device</dt>
          <dd>{scenario.device.legacy ? 'legacy (no VERSION_1)' : 'modern (VERSION_1)'}</dd>
        </div>
        <div>
          <dt>Features offered</dt>
          <dd className="chips">{scenario.device.features.join(' · ') || 'none'}</dd>
        </div>
        <div>
          <dt>Features negotiated</dt>
          <dd className="chips" data-testid="host.negotiated">
            {transport.driverFeatures === 0n ? 'not yet' : featureList(transport.driverFeatures).join(' · ')}
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd className="chips" data-testid="host.status">
            {statusNames(status).join(' · ') || '0'}
          </dd>
        </div>
      </dl>
      {needsReset && (
        <p className="alarm" role="alert" data-testid="host.needs-reset">
          DEVICE_NEEDS_RESET — {sim.core.deviceError()?.message ?? 'the device stopped'}
        </p>
      )}
      {sim.hostLog.lines.length > 0 && (
        <>
          <h3 id="host-log-title">QEMU (stderr)</h3>
          <ol className="dmesg host-log" aria-labelledby="host-log-title" data-testid="host.log">
            {lastLines(sim.hostLog.lines, 50).map(({ n, line }) => (
              <li key={n} data-level={line.level}>
                {formatTraceTime(line.us)} {line.text}
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
          placeholder={String(device.statsPollingInterval)}
          value={interval}
          onChange={(e) => setInterval(e.target.value)}
          {...describedBy('host.interval-msg', intervalAnswer)}
        />
        <button type="submit">Set</button>
        <small>0 = off</small>
      </form>
      <FieldMessage id="host.interval-msg" answer={intervalAnswer} />
    </section>
  );
}
