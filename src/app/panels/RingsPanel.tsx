// The virtqueues as they sit in guest memory, and the driver's code as it runs.

import { lastCallOf, type Playable, pfnsOf, queuesOf, ringsSignature, simulationOf } from '../../sim/view.ts';
import { useApp, useRunner, useServices } from '../context.tsx';
import { Gloss } from '../Gloss.tsx';
import { DriverView, VirtqueueInspector } from '../inspector/index.ts';

/**
 * What the virtqueue inspector and the driver view show: the queues, pfns[], the driver's calls, and
 * a signature of ring memory (the indexes) that moves when the rings do.
 */
export function ringsView(p: Playable | null) {
  const sim = simulationOf(p);
  if (!sim) return null;
  return {
    queues: queuesOf(sim),
    pfns: pfnsOf(sim),
    signature: ringsSignature(sim),
    calls: sim.calls,
    lastCall: lastCallOf(sim),
  };
}

/** Brings the memory map, where the selected descriptor's PFNs are outlined, into view. */
function showMap() {
  document.getElementById('map-title')?.scrollIntoView({ block: 'start' });
}

/** The Rings tab: the virtqueues as the driver and the device left them in guest memory. */
export function RingsPanel() {
  const view = useRunner(ringsView);
  const { runner, core, store } = useServices();
  const playing = useApp((s) => s.playing);
  const speed = useApp((s) => s.speed);
  const selection = useApp((s) => s.selectedDescriptor);
  if (!view) return null;
  const { queues } = view;
  // This renders only when what it shows moved: the runner's version then says "read memory again".
  const version = runner.version;
  // Full tables while stepping or playing slowly; counts only when the balloon races along.
  const mode = playing && speed !== 1 ? 'summary' : 'step';
  return (
    <section className="panel rings" aria-labelledby="rings-title" data-panel="rings">
      <h2 id="rings-title">Virtqueues in guest memory</h2>
      <p className="panel-terms muted">
        Each <Gloss term="virtqueue" /> is a table of <Gloss term="descriptor">descriptors</Gloss>, the{' '}
        <Gloss term="avail ring" /> (driver to device) and the <Gloss term="used ring" /> (device back); a
        buffer carries <Gloss term="PFN">PFNs</Gloss>.
      </p>
      {queues.length === 0 ? (
        <p>No queues: the device is reset or unplugged.</p>
      ) : (
        <VirtqueueInspector
          core={core}
          queues={queues}
          pfns={view.pfns}
          version={version}
          mode={mode}
          selection={selection}
          onSelectionChange={store.getState().selectDescriptor}
          onSelectPfns={store.getState().setHighlight}
          onShowPfns={showMap}
        />
      )}
    </section>
  );
}

/** The Driver tab: the port's source, the running function marked with its seed lines. */
export function DriverPanel() {
  const view = useRunner(ringsView);
  const playing = useApp((s) => s.playing);
  if (!view) return null;
  const { calls } = view;
  return (
    <section className="panel driver" aria-labelledby="driver-title" data-panel="driver">
      <h2 id="driver-title">The driver, running</h2>
      {playing ? (
        <p className="now-running">
          now in <code>{view.lastCall ?? '—'}</code> — pause to follow it line by line
        </p>
      ) : (
        <DriverView calls={calls} cursor={calls.length - 1} />
      )}
    </section>
  );
}
