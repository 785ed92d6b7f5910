// "Real guest": Debian's Linux 6.1 booted in the page (v86, in a Web Worker), its own virtio_balloon
// driver talking to Balloon Lab's device. The host panel sets the target; the terminal is the guest's
// serial console; the map, the rings, the stats and the timeline show what the real driver did.
// Loaded only when chosen (?guest): nothing of it is on the lab's critical path.
import './guest.css';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { HOST_DISCARDED, HOST_RESIDENT, HOST_WANTED } from '../../core/abi.ts';
import {
  DEFAULT_OFFER,
  type GuestStartOptions,
  OFFERABLE,
  offerText,
  parseOffer,
} from '../../guest/protocol.ts';
import { download } from '../export-trace.ts';
import { VirtqueueInspector } from '../inspector/index.ts';
import { MemoryMap, MemoryMapLegend } from '../memmap/index.ts';
import { connectGuest, type GuestConnection, S_AVAIL, S_MEMFREE, S_MEMTOT } from './guest-store.ts';
import { SideBySide } from './SideBySide.tsx';
import { StatsPlot } from './StatsPlot.tsx';
import { GuestTerminal } from './Terminal.tsx';

export const GUEST_MIB = 128;

/** The offer in the address bar (?guest&offer=stats,deflate-on-oom), or QEMU's default; a bad one is said. */
function offerFromUrl(): { bits: number[]; problem: string | null } {
  const text = new URLSearchParams(location.search).get('offer');
  if (text === null) return { bits: [...DEFAULT_OFFER], problem: null };
  const bits = parseOffer(text);
  return typeof bits === 'string'
    ? {
        bits: [...DEFAULT_OFFER],
        problem: `The link’s offer: ${bits}. The guest starts with QEMU’s default offer (stats).`,
      }
    : { bits, problem: null };
}

/** What tests read: the device's numbers as the worker last reported them. */
export interface GuestSummary {
  phase: string;
  how: string | null;
  numPages: number;
  actual: number;
  counts: { inflateBuffers: number; deflateBuffers: number; statsBuffers: number; errors: number };
  host: { resident: number; discarded: number; wanted: number };
  memTotalBytes: number | null;
}

export function RealGuest() {
  const [dark, setDark] = useState(() => matchMedia?.('(prefers-color-scheme: dark)').matches ?? false);
  const offer = useMemo(offerFromUrl, []);
  // One worker for the page, made in an effect: its cleanup ends it (React's development mode mounts
  // twice, and an orphaned emulator would go on booting).
  const [conn, setConn] = useState<GuestConnection | null>(null);
  useEffect(() => {
    const options: GuestStartOptions = {
      memoryMiB: GUEST_MIB,
      features: offer.bits,
      base: new URL('guest/', document.baseURI).href,
      coldBoot: new URLSearchParams(location.search).has('cold'),
      statsIntervalS: 1,
    };
    const c = connectGuest(
      options,
      new Worker(new URL('../../guest/worker.ts', import.meta.url), { type: 'module' }),
    );
    setConn(c);
    (window as unknown as { balloonLabGuest: unknown }).balloonLabGuest = { summary: () => summaryOf(c) };
    return () => c.stop();
  }, [offer]);
  useEffect(() => {
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }, [dark]);
  return conn ? <GuestPage conn={conn} offer={offer} dark={dark} setDark={setDark} /> : null;
}

function GuestPage({
  conn,
  offer,
  dark,
  setDark,
}: {
  conn: GuestConnection;
  offer: { bits: number[]; problem: string | null };
  dark: boolean;
  setDark: (dark: boolean) => void;
}) {
  const phase = useStore(conn.store, (s) => s.phase);
  const [picked, setPicked] = useState<number[] | null>(null);
  // A restored shell printed its prompt before it was saved: an empty line brings a fresh one.
  useEffect(() => {
    if (phase === 'ready') conn.send({ t: 'input', text: '\n' });
  }, [phase, conn]);
  const exportTrace = async () => {
    const text = await conn.trace();
    download(new Blob([text], { type: 'text/plain' }), 'balloon-lab-real-guest.trace');
  };
  return (
    <div className="guest-shell" data-phase={phase}>
      <header className="app-header">
        <h1>Balloon Lab</h1>
        <p className="tagline">A real Linux guest: its own balloon driver, Balloon Lab’s device</p>
        <div className="row wrap header-tools">
          <a className="button-link" href="./">
            Back to the simulated lab
          </a>
          <button type="button" onClick={() => void exportTrace()} disabled={phase !== 'ready'}>
            Export trace
          </button>
          <button type="button" aria-pressed={dark} onClick={() => setDark(!dark)}>
            {dark ? 'Light theme' : 'Dark theme'}
          </button>
        </div>
      </header>
      {offer.problem && (
        <p className="notice alarm" role="alert" data-testid="guest.offer-problem">
          {offer.problem}
        </p>
      )}
      <BootStatus conn={conn} />
      <main className="guest-lab">
        <div className="guest-left">
          <HostControls conn={conn} />
          <Numbers conn={conn} />
          <Offer offered={offer.bits} conn={conn} />
        </div>
        <div className="guest-center">
          <section className="panel" aria-labelledby="guest-console">
            <h2 id="guest-console">The guest’s console</h2>
            <p className="muted small">
              Try <code>free -m</code>, <code>cat /proc/meminfo</code>,{' '}
              <code>dd if=/dev/zero of=/tmp/fill bs=1M count=40</code>,{' '}
              <code>echo 1 &gt; /proc/sys/vm/compact_memory</code>.
            </p>
            <GuestTerminal conn={conn} dark={dark} />
          </section>
          <GuestMap conn={conn} dark={dark} picked={picked} onClear={() => setPicked(null)} />
        </div>
        <div className="guest-right">
          <Tabs conn={conn} dark={dark} onSelectPfns={(p) => setPicked(p.length ? p : null)} />
        </div>
      </main>
    </div>
  );
}

function summaryOf(conn: GuestConnection): GuestSummary {
  const s = conn.store.getState();
  const u = s.last;
  const count = (v: number) => u?.hostCounts[v] ?? 0;
  return {
    phase: s.phase,
    how: s.ready?.how ?? null,
    numPages: u?.numPages ?? 0,
    actual: u?.actual ?? 0,
    counts: u?.counts ?? { inflateBuffers: 0, deflateBuffers: 0, statsBuffers: 0, errors: 0 },
    host: { resident: count(HOST_RESIDENT), discarded: count(HOST_DISCARDED), wanted: count(HOST_WANTED) },
    memTotalBytes: u?.stats[S_MEMTOT] ?? null,
  };
}

function BootStatus({ conn }: { conn: GuestConnection }) {
  const { phase, progress, ready, error } = useStore(conn.store);
  if (phase === 'failed')
    return (
      <p className="notice alarm" role="alert">
        The guest did not start: {error}
      </p>
    );
  if (phase === 'ready' && ready)
    return (
      <p className="notice guest-ready" role="status" data-testid="guest.ready">
        {ready.how === 'restored'
          ? `Restored a saved guest in ${(ready.ms / 1000).toFixed(1)} s.`
          : `Booted Linux in ${(ready.ms / 1000).toFixed(1)} s (saved in this browser: next time it restores in about a second).`}{' '}
        Click the console to type.
        {ready.note ? <span data-testid="guest.ready-note"> {ready.note}</span> : null}
      </p>
    );
  return (
    <div className="guest-boot" role="status" aria-live="polite">
      <label htmlFor="guest-progress">{progress.text || 'Starting'}…</label>
      <progress id="guest-progress" max={1} value={progress.fraction} />
    </div>
  );
}

const STATUS_BITS: [number, string][] = [
  [1, 'ACKNOWLEDGE'],
  [2, 'DRIVER'],
  [8, 'FEATURES_OK'],
  [4, 'DRIVER_OK'],
  [64, 'DEVICE_NEEDS_RESET'],
  [128, 'FAILED'],
];

function HostControls({ conn }: { conn: GuestConnection }) {
  const ready = useStore(conn.store, (s) => s.phase === 'ready');
  const [mib, setMib] = useState('32');
  const [interval, setIntervalS] = useState('1');
  const value = Number(mib);
  const bad =
    mib.trim() === '' || !Number.isFinite(value) || value < 0 || value > GUEST_MIB - 16
      ? `A balloon from 0 to ${GUEST_MIB - 16} MiB (the guest keeps at least 16 MiB).`
      : null;
  const set = () => {
    if (bad) return;
    conn.send({ t: 'target', pages: Math.round(value * 256) });
  };
  return (
    <section className="panel" aria-labelledby="guest-host">
      <h2 id="guest-host">Host (Balloon Lab’s device)</h2>
      <form
        className="guest-target"
        onSubmit={(e) => {
          e.preventDefault();
          set();
        }}
      >
        <label htmlFor="guest-balloon">Balloon size (MiB)</label>
        <div className="row">
          <input
            id="guest-balloon"
            type="number"
            min={0}
            max={GUEST_MIB - 16}
            step={1}
            value={mib}
            aria-invalid={bad ? true : undefined}
            aria-describedby="guest-balloon-help"
            onChange={(e) => setMib(e.target.value)}
          />
          <button type="submit" disabled={!ready || bad !== null}>
            Set target
          </button>
        </div>
        <p id="guest-balloon-help" className={bad ? 'field-error' : 'muted small'}>
          {bad ??
            `QMP "balloon ${Math.max(0, GUEST_MIB - value)}M": num_pages ${Math.round(value * 256)} (4 KiB pages). The driver inflates until actual reaches it.`}
        </p>
      </form>
      <label htmlFor="guest-stats">Stats every</label>{' '}
      <select
        id="guest-stats"
        value={interval}
        onChange={(e) => {
          setIntervalS(e.target.value);
          conn.send({ t: 'stats-interval', seconds: Number(e.target.value) });
        }}
      >
        <option value="0">never</option>
        <option value="1">1 s</option>
        <option value="2">2 s</option>
        <option value="5">5 s</option>
      </select>{' '}
      <span className="muted small">(QMP guest-stats-polling-interval)</span>
    </section>
  );
}

function Offer({ offered, conn }: { offered: number[]; conn: GuestConnection }) {
  const negotiated = useStore(conn.store, (s) => s.last?.negotiated ?? null);
  const [chosen, setChosen] = useState<number[]>(offered);
  const changed = offerText(chosen) !== offerText(offered);
  return (
    <section className="panel" aria-labelledby="guest-offer">
      <h2 id="guest-offer">What the device offers</h2>
      <fieldset className="guest-offer">
        <legend className="muted small">
          Balloon features (VERSION_1 always; the driver accepts what it knows)
        </legend>
        {OFFERABLE.map((f) => (
          <label key={f.name} title={f.what}>
            <input
              type="checkbox"
              checked={chosen.includes(f.bit)}
              onChange={(e) =>
                setChosen((c) => (e.target.checked ? [...c, f.bit].sort() : c.filter((b) => b !== f.bit)))
              }
            />{' '}
            <code>{f.label}</code>
            {negotiated && offered.includes(f.bit) && (
              <span className="muted small">
                {negotiated.includes(f.bit) ? ' accepted' : ' not accepted'}
              </span>
            )}
          </label>
        ))}
      </fieldset>
      <a
        className="button-link"
        href={`?guest&offer=${offerText(chosen)}`}
        aria-disabled={!changed}
        onClick={(e) => {
          if (!changed) e.preventDefault();
        }}
      >
        Restart the guest with this offer
      </a>
      <p className="muted small">
        A guest negotiates its features once, at boot: another offer is another guest.
      </p>
    </section>
  );
}

const fmtMiB = (bytes: number | null | undefined) =>
  bytes === null || bytes === undefined ? '—' : `${(bytes / 1048576).toFixed(1)} MiB`;

function Numbers({ conn }: { conn: GuestConnection }) {
  const last = useStore(conn.store, (s) => s.last);
  const rows: [string, ReactNode, string][] = [];
  if (last) {
    const hostCount = (v: number) => last.hostCounts[v] ?? 0;
    const status = STATUS_BITS.filter(([bit]) => last.deviceStatus & bit).map(([, n]) => n);
    rows.push(
      ['num_pages', `${last.numPages.toLocaleString('en-US')} pages`, 'the target the host set'],
      ['actual', `${last.actual.toLocaleString('en-US')} pages`, 'what the driver says the balloon holds'],
      ['MemTotal', fmtMiB(last.stats[S_MEMTOT]), 'from the stats: falls as the balloon grows'],
      ['MemFree', fmtMiB(last.stats[S_MEMFREE]), 'from the stats'],
      ['Available', fmtMiB(last.stats[S_AVAIL]), 'from the stats'],
      ['Host: resident', fmtMiB(hostCount(HOST_RESIDENT) * 4096), 'guest RAM the host backs'],
      ['Host: discarded', fmtMiB(hostCount(HOST_DISCARDED) * 4096), 'given back: MADV_DONTNEED'],
      [
        'Buffers',
        `${last.counts.inflateBuffers} inflate, ${last.counts.deflateBuffers} deflate, ${last.counts.statsBuffers} stats`,
        'popped from each queue',
      ],
      ['Device status', status.join(' | ') || '0', last.log.at(-1) ?? ''],
    );
  }
  return (
    <section className="panel" aria-labelledby="guest-numbers">
      <h2 id="guest-numbers">The balloon</h2>
      {last ? (
        <dl className="guest-numbers" data-testid="guest.numbers">
          {rows.map(([k, v, note]) => (
            <div key={k} title={note}>
              <dt>{k}</dt>
              <dd data-key={k}>{v}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted">Waiting for the guest.</p>
      )}
    </section>
  );
}

function GuestMap({
  conn,
  dark,
  picked,
  onClear,
}: {
  conn: GuestConnection;
  dark: boolean;
  /** A descriptor's PFNs picked in the Rings tab, outlined instead of the last buffer's. */
  picked: number[] | null;
  onClear: () => void;
}) {
  const last = useStore(conn.store, (s) => s.last);
  const n = last?.host.length ?? 0;
  // The map reads these every animation frame; an update copies into them and marks all of it dirty.
  const source = useMemo(
    () => ({
      frames: new Uint8Array(n),
      host: new Uint8Array(n),
      dirty: new Uint8Array(Math.ceil(n / 1024)),
      clearDirty() {
        this.dirty.fill(0);
      },
    }),
    [n],
  );
  useEffect(() => {
    if (!last) return;
    source.frames.set(last.frames);
    source.host.set(last.host);
    source.dirty.fill(1);
  }, [last, source]);
  // A new array only when a new buffer came (the map brings a new highlight into view).
  const batches = last ? last.counts.inflateBuffers + last.counts.deflateBuffers : 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the buffer counts say when lastBatch is another buffer
  const lastPfns = useMemo(() => (last?.lastBatch ? Array.from(last.lastBatch.pfns) : []), [batches]);
  const highlight = picked ?? lastPfns;
  if (!last) return null;
  return (
    <section className="panel map" aria-labelledby="guest-map-title" data-panel="map">
      <h2 id="guest-map-title">Guest RAM as the host backs it</h2>
      <div className="row wrap">
        <p className="muted small" role="status" data-testid="guest.map-highlight">
          {picked
            ? `Outlined: the ${picked.length} PFNs of the descriptor picked in the Rings tab.`
            : last.lastBatch
              ? `Outlined: the last ${last.lastBatch.queue === 0 ? 'inflate' : 'deflate'} buffer’s ${last.lastBatch.pfns.length} PFNs.`
              : 'Every frame is resident until the balloon inflates: then its frames are discarded.'}
        </p>
        {picked && (
          <button type="button" onClick={onClear}>
            Back to the last buffer
          </button>
        )}
      </div>
      <MemoryMap core={source} theme={dark ? 'dark' : 'light'} view="host" highlight={highlight} />
      <MemoryMapLegend view="host" theme={dark ? 'dark' : 'light'} counts={last.hostCounts} />
    </section>
  );
}

function Tabs({
  conn,
  dark,
  onSelectPfns,
}: {
  conn: GuestConnection;
  dark: boolean;
  onSelectPfns: (pfns: number[]) => void;
}) {
  const [tab, setTab] = useState<'stats' | 'rings' | 'timeline' | 'compare' | 'about'>('stats');
  const names = {
    stats: 'Stats',
    rings: 'Rings',
    timeline: 'Timeline',
    compare: 'Side by side',
    about: 'About',
  } as const;
  return (
    <section className="panel guest-tabs">
      <div role="tablist" aria-label="Details" className="row wrap">
        {(Object.keys(names) as (keyof typeof names)[]).map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            id={`guest-tab-${k}`}
            aria-selected={tab === k}
            aria-controls={`guest-tabpanel-${k}`}
            onClick={() => setTab(k)}
          >
            {names[k]}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`guest-tabpanel-${tab}`} aria-labelledby={`guest-tab-${tab}`}>
        {tab === 'stats' && <StatsTab conn={conn} dark={dark} />}
        {tab === 'rings' && <RingsTab conn={conn} onSelectPfns={onSelectPfns} />}
        {tab === 'timeline' && <TimelineTab conn={conn} />}
        {tab === 'compare' && <SideBySide conn={conn} dark={dark} />}
        {tab === 'about' && <About />}
      </div>
    </section>
  );
}

function StatsTab({ conn, dark }: { conn: GuestConnection; dark: boolean }) {
  const series = useStore(conn.store, (s) => s.series);
  return (
    <>
      <p className="muted small">
        What the driver reports on the stats queue each time the device asks (virtio 1.x §5.5.6.3), and the
        balloon’s size.
      </p>
      <StatsPlot series={series} dark={dark} />
    </>
  );
}

function RingsTab({ conn, onSelectPfns }: { conn: GuestConnection; onSelectPfns: (pfns: number[]) => void }) {
  const version = useStore(conn.store, (s) => s.version);
  const last = useStore(conn.store, (s) => s.last);
  const mirror = conn.mirror;
  if (!mirror || !last) return <p className="muted">No virtqueues yet: the driver has not set them up.</p>;
  const queues = last.queues.map((q) => ({
    index: q.index,
    name: q.name,
    ring: { size: q.state.size, desc: q.state.desc, avail: q.state.avail, used: q.state.used },
  }));
  return (
    <>
      <p className="muted small">
        The real driver’s rings, copied from guest memory each time the device handles a queue. Its private
        indices are read from memory: last_used_idx from used_event (EVENT_IDX), num_free from what is
        outstanding.
      </p>
      <VirtqueueInspector
        core={mirror}
        queues={queues}
        version={version}
        mode="step"
        onSelectPfns={onSelectPfns}
      />
    </>
  );
}

function TimelineTab({ conn }: { conn: GuestConnection }) {
  const events = useStore(conn.store, (s) => s.events);
  const shown = events.slice(-200).reverse();
  return (
    <ol
      className="guest-timeline"
      aria-label="What the device saw, newest first"
      data-testid="guest.timeline"
    >
      {shown.map((e) => (
        <li key={e.n} data-kind={e.kind}>
          <span className="mono">{(e.us / 1e6).toFixed(3)} s</span> {e.text}
        </li>
      ))}
    </ol>
  );
}

function About() {
  return (
    <div className="guest-about">
      <p>
        The guest is Debian 12’s 32-bit Linux 6.1 (<code>linux-image-6.1.0-57-686-unsigned</code> 6.1.192-3)
        with a BusyBox initramfs (<code>busybox-static</code> 1:1.35.0-4+deb12u1+b1), started by SeaBIOS (
        <code>seabios</code> 1.16.2-1) in the v86 emulator, in a Web Worker. Its <code>virtio_balloon</code>{' '}
        driver is Linux’s own; the device behind it is Balloon Lab’s, with the same ring walk and checks as
        the simulation.
      </p>
      <p>
        Linux and BusyBox are GPL-2.0, SeaBIOS LGPL-3.0. Their sources: <code>apt-get source</code> with the
        package and version above, or{' '}
        <code>https://snapshot.debian.org/package/&lt;source&gt;/&lt;version&gt;/</code> (sources:{' '}
        <code>linux</code>, <code>busybox</code>, <code>seabios</code>). The exact files and their SHA-256
        sums are in <a href="guest/manifest.json">guest/manifest.json</a>.
      </p>
      <p className="muted small">
        Where this differs from QEMU: the guest’s time is the emulator’s, so a batch takes longer than under
        KVM; the host’s memory is the page’s, so “discarded” frames are zeroed in guest RAM rather than
        returned to an operating system.
      </p>
    </div>
  );
}
