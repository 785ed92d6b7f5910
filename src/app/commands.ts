// Every user action once: its id, label, keys, when it is enabled, and what it does. The transport
// buttons, the keyboard, the `?` dialog (and a lesson that names an action) all read this list, so
// they cannot drift apart. A command touches the app only through the runner and the store.
import type { SimRunner } from './sim-runner.ts';
import { type StepKind, stepBack, stepForward } from './steps.ts';
import type { AppStore, Speed } from './store.ts';

export interface CommandContext {
  runner: SimRunner;
  store: AppStore;
}

/** What a key handler needs of a KeyboardEvent. */
export interface KeyPress {
  key: string;
  shiftKey?: boolean;
}

export type CommandGroup = 'Playback' | 'Steps' | 'Speed' | 'View';

export interface Command {
  id: string;
  label: string;
  group: CommandGroup;
  /** The keys as the `?` dialog shows them. */
  keys: string;
  /** The same keys in `aria-keyshortcuts` syntax. */
  ariaKeys: string;
  keyTest(e: KeyPress): boolean;
  /** False: the button is disabled and the key does nothing (and is left to the page). */
  enabled(ctx: CommandContext): boolean;
  perform(ctx: CommandContext): void;
}

/** The speeds, slowest first: keys 1 … 7. */
export const SPEEDS: readonly { value: Speed; label: string }[] = [
  { value: 0.01, label: '1/100×' },
  { value: 0.1, label: '1/10×' },
  { value: 1, label: 'real time' },
  { value: 10, label: '10×' },
  { value: 100, label: '100×' },
  { value: 1000, label: '1000×' },
  { value: 'max', label: 'as fast as possible' },
];

const always = () => true;
const loaded = ({ runner }: CommandContext) => runner.sim !== null || runner.replay !== null;
const notAtEnd = (ctx: CommandContext) => loaded(ctx) && !ctx.runner.atEnd;
const notAtStart = (ctx: CommandContext) => loaded(ctx) && ctx.runner.eventIndex > 0;

const letter =
  (k: string, shift: boolean) =>
  (e: KeyPress): boolean =>
    e.key.length === 1 && e.key.toLowerCase() === k && Boolean(e.shiftKey) === shift;

/** A step forward and a step back of one kind; both pause playback first. */
function stepPair(
  kind: StepKind,
  what: string,
  forward: { keys: string; aria: string; test(e: KeyPress): boolean },
  back: { keys: string; aria: string; test(e: KeyPress): boolean },
): Command[] {
  return [
    {
      id: kind === 'event' ? 'step' : `step-${kind}`,
      label: kind === 'event' ? 'Step' : `Next ${what}`,
      group: 'Steps',
      keys: forward.keys,
      ariaKeys: forward.aria,
      keyTest: forward.test,
      enabled: notAtEnd,
      perform: ({ runner, store }) => {
        store.getState().setPlaying(false);
        stepForward(runner, kind);
      },
    },
    {
      id: kind === 'event' ? 'step-back' : `step-${kind}-back`,
      label: kind === 'event' ? 'Step back' : `Previous ${what}`,
      group: 'Steps',
      keys: back.keys,
      ariaKeys: back.aria,
      keyTest: back.test,
      enabled: notAtStart,
      perform: ({ runner, store }) => {
        store.getState().setPlaying(false);
        stepBack(runner, kind);
      },
    },
  ];
}

const letterPair = (k: string) => ({
  forward: { keys: k.toUpperCase(), aria: k.toUpperCase(), test: letter(k, false) },
  back: { keys: `Shift+${k.toUpperCase()}`, aria: `Shift+${k.toUpperCase()}`, test: letter(k, true) },
});

const batch = letterPair('b');
const fn = letterPair('f');
const marker = letterPair('n');

export const COMMANDS: readonly Command[] = [
  {
    id: 'play',
    label: 'Play / Pause',
    group: 'Playback',
    keys: 'Space',
    ariaKeys: 'Space',
    keyTest: (e) => e.key === ' ',
    enabled: loaded,
    perform: ({ store }) => store.getState().setPlaying(!store.getState().playing),
  },
  {
    id: 'reset',
    label: 'Reset',
    group: 'Playback',
    keys: 'R',
    ariaKeys: 'R',
    keyTest: letter('r', false),
    enabled: loaded,
    perform: ({ runner, store }) => {
      store.getState().setPlaying(false);
      runner.replayToEvent(0);
    },
  },
  ...stepPair(
    'event',
    'event',
    { keys: '→', aria: 'ArrowRight', test: (e) => e.key === 'ArrowRight' },
    { keys: '←', aria: 'ArrowLeft', test: (e) => e.key === 'ArrowLeft' },
  ),
  ...stepPair('batch', 'batch (a buffer the device handles)', batch.forward, batch.back),
  ...stepPair('function', 'driver function', fn.forward, fn.back),
  ...stepPair('marker', 'timeline marker', marker.forward, marker.back),
  ...SPEEDS.map(
    (s, i): Command => ({
      id: `speed-${s.value}`,
      label: `Speed: ${s.label}${s.value !== 'max' && s.value < 1 ? ' (slow motion)' : ''}`,
      group: 'Speed',
      keys: String(i + 1),
      ariaKeys: String(i + 1),
      keyTest: (e) => e.key === String(i + 1),
      enabled: always,
      perform: ({ store }) => store.getState().setSpeed(s.value),
    }),
  ),
  {
    id: 'map-view',
    label: 'Memory map: both views / guest / host',
    group: 'View',
    keys: 'M',
    ariaKeys: 'M',
    keyTest: letter('m', false),
    enabled: always,
    perform: ({ store }) => {
      const s = store.getState();
      s.setMapView(s.mapView === 'split' ? 'guest' : s.mapView === 'guest' ? 'host' : 'split');
    },
  },
  {
    id: 'theme',
    label: 'Light / dark theme',
    group: 'View',
    keys: 'T',
    ariaKeys: 'T',
    keyTest: letter('t', false),
    enabled: always,
    perform: ({ store }) => {
      const s = store.getState();
      s.setTheme(s.theme === 'dark' ? 'light' : 'dark');
    },
  },
  {
    id: 'clear-highlight',
    label: 'Clear the PFNs highlighted on the memory map',
    group: 'View',
    keys: 'Esc',
    ariaKeys: 'Escape',
    keyTest: (e) => e.key === 'Escape',
    // The keys dialog takes its own Escape.
    enabled: ({ store }) => {
      const s = store.getState();
      return !s.showHelp && (s.selectedDescriptor !== null || s.highlight.length > 0);
    },
    perform: ({ store }) => store.getState().clearHighlight(),
  },
  {
    id: 'help',
    label: 'This list of keys',
    group: 'View',
    keys: '?',
    ariaKeys: '?',
    keyTest: (e) => e.key === '?',
    enabled: always,
    perform: ({ store }) => store.getState().setShowHelp(true),
  },
];

const BY_ID = new Map(COMMANDS.map((c) => [c.id, c]));

export function command(id: string): Command {
  const c = BY_ID.get(id);
  if (!c) throw new Error(`no command "${id}"`);
  return c;
}

/** The command a key press names, if any. */
export function commandForKey(e: KeyPress): Command | undefined {
  return COMMANDS.find((c) => c.keyTest(e));
}

/**
 * Runs the command a key press names. Returns true when it ran (the caller then keeps the key from
 * the page: keys that step must not scroll); false when no command has the key or it is disabled.
 */
export function runKey(e: KeyPress, ctx: CommandContext): boolean {
  const c = commandForKey(e);
  if (!c?.enabled(ctx)) return false;
  c.perform(ctx);
  return true;
}
