// The memory map panel: every frame of the guest, coloured by state, guest view or host view.
import { FRAME_BALLOON, FRAME_FREE, HOST_DISCARDED, HOST_RESIDENT } from '../../core/abi.ts';
import { useApp, useRunnerVersion, useServices } from '../context.tsx';
import { mib } from '../format.ts';

export function MapPanel() {
  useRunnerVersion();
  const { core, runner, store } = useServices();
  const view = useApp((s) => s.mapView);
  if (!runner.sim) return null;
  const counts = core.stateCounts();
  const host = core.hostCounts();
  return (
    <section className="panel map" aria-labelledby="map-title">
      <div className="row">
        <h2 id="map-title">Memory map</h2>
        <button
          type="button"
          aria-keyshortcuts="M"
          onClick={() => store.getState().setMapView(view === 'guest' ? 'host' : 'guest')}
        >
          {view === 'guest' ? 'Show the host’s view' : 'Show the guest’s view'}
        </button>
      </div>
      <p>
        {view === 'guest'
          ? `free ${mib(counts[FRAME_FREE] * 4096)}, in the balloon ${mib(counts[FRAME_BALLOON] * 4096)}`
          : `resident on the host ${mib(host[HOST_RESIDENT] * 4096)}, given back ${mib(host[HOST_DISCARDED] * 4096)}`}
      </p>
    </section>
  );
}
