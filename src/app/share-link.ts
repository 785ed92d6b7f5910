// "Share link": the link to this exact moment (share.ts's format) into the address bar and the
// clipboard. Loaded when the button is pressed.
import type { AppServices } from './context.tsx';
import { bundledScenario } from './open.ts';
import { encodeShare, userActions } from './share.ts';

export async function copyShareLink({ runner, store }: AppServices): Promise<void> {
  const scenario = runner.scenario;
  if (!scenario) return;
  const current = store.getState().currentFile;
  const moment = { event: runner.eventIndex, us: runner.nowUs };
  const hash =
    current !== null
      ? encodeShare({
          kind: 'bundled',
          file: current,
          seed: scenario.seed,
          actions: userActions(await bundledScenario(current), scenario),
          ...moment,
        })
      : encodeShare({ kind: 'custom', scenario, ...moment });
  // replaceState fires no hashchange: the page does not reopen what it already shows.
  history.replaceState(null, '', hash);
  await navigator.clipboard?.writeText(location.href).catch(() => undefined);
  store
    .getState()
    .setNotice({ kind: 'info', text: 'The link to this exact moment is in the address bar (and copied).' });
}
