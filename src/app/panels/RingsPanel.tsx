// The virtqueues as they sit in guest memory, and the driver's code as it runs.

import { useApp, useRunnerVersion, useServices } from '../context.tsx';
import { DriverView, VirtqueueInspector } from '../inspector/index.ts';

/** Brings the memory map, where the selected descriptor's PFNs are outlined, into view. */
function showMap() {
  document.getElementById('map-title')?.scrollIntoView({ block: 'start' });
}

export function RingsPanel() {
  const version = useRunnerVersion();
  const { runner, core, store } = useServices();
  const playing = useApp((s) => s.playing);
  const speed = useApp((s) => s.speed);
  const selection = useApp((s) => s.selectedDescriptor);
  const sim = runner.sim;
  if (!sim) return null;
  const { vb } = sim;
  const queues = [vb.inflate_vq, vb.deflate_vq, vb.stats_vq].flatMap((vq) =>
    vq ? [{ index: vq.index, name: vq.name, ring: vq.ring }] : [],
  );
  // Full tables while stepping or playing slowly; counts only when the balloon races along.
  const mode = playing && speed !== 1 ? 'summary' : 'step';
  const lastCall = sim.calls.at(-1);
  return (
    <>
      <section className="panel rings" aria-labelledby="rings-title">
        <h2 id="rings-title">Virtqueues in guest memory</h2>
        {queues.length === 0 ? (
          <p>No queues: the device is reset or unplugged.</p>
        ) : (
          <VirtqueueInspector
            core={core}
            queues={queues}
            pfns={{ gpa: vb.pfns, count: vb.num_pfns }}
            version={version}
            mode={mode}
            selection={selection}
            onSelectionChange={store.getState().selectDescriptor}
            onSelectPfns={store.getState().setHighlight}
            onShowPfns={showMap}
          />
        )}
      </section>
      <section className="panel driver" aria-labelledby="driver-title">
        <h2 id="driver-title">The driver, running</h2>
        {playing ? (
          <p className="now-running">
            now in <code>{lastCall?.fn ?? '—'}</code> — pause to follow it line by line
          </p>
        ) : (
          <DriverView calls={sim.calls} cursor={sim.calls.length - 1} />
        )}
      </section>
    </>
  );
}
