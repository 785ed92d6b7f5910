// The command list: one command per key, every command reachable from its key, and the step
// commands pause playback whoever runs them (a button or a key).
import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { bundledScenario } from '../sim/testing.ts';
import { COMMANDS, command, commandForKey, runKey } from './commands.ts';
import { SimRunner } from './sim-runner.ts';
import { createAppStore } from './store.ts';

const module = loadCoreModuleSync();

function context() {
  const runner = new SimRunner(BalloonCore.fromWasm(module));
  runner.load(bundledScenario('inflate-deflate.json'));
  return { runner, store: createAppStore() };
}

/** A key press that a command's `keys` names ("Shift+B", "→", "Space", "3"). */
function pressFor(keys: string): { key: string; shiftKey: boolean } {
  const named: Record<string, string> = { Space: ' ', '→': 'ArrowRight', '←': 'ArrowLeft', Esc: 'Escape' };
  if (keys.startsWith('Shift+')) return { key: keys.slice(6), shiftKey: true };
  return { key: named[keys] ?? keys.toLowerCase(), shiftKey: keys === '?' };
}

describe('commands', () => {
  it('have unique ids and unique keys, and each key finds its own command', () => {
    expect(new Set(COMMANDS.map((c) => c.id)).size).toBe(COMMANDS.length);
    expect(new Set(COMMANDS.map((c) => c.keys)).size).toBe(COMMANDS.length);
    for (const c of COMMANDS) expect(commandForKey(pressFor(c.keys))?.id).toBe(c.id);
  });

  it('a key nobody has finds no command', () => {
    expect(commandForKey({ key: 'q' })).toBeUndefined();
    expect(commandForKey({ key: 'Enter' })).toBeUndefined();
  });

  it.each(['step', 'step-back', 'step-batch', 'step-function', 'step-marker', 'reset'])(
    '%s pauses playback',
    (id) => {
      const ctx = context();
      command('step').perform(ctx); // so that the backward steps are enabled
      ctx.store.getState().setPlaying(true);
      command(id).perform(ctx);
      expect(ctx.store.getState().playing).toBe(false);
    },
  );

  it('Step back is disabled at the start, Step at the end; a disabled key does nothing', () => {
    const ctx = context();
    expect(command('step-back').enabled(ctx)).toBe(false);
    expect(runKey({ key: 'ArrowLeft' }, ctx)).toBe(false);
    ctx.runner.seek(ctx.runner.endUs);
    while (ctx.runner.sim?.step()) {}
    ctx.runner.flush();
    expect(command('step').enabled(ctx)).toBe(false);
  });

  it('Escape is left to the page when nothing is highlighted', () => {
    const ctx = context();
    expect(runKey({ key: 'Escape' }, ctx)).toBe(false);
    ctx.store.getState().setHighlight([1, 2]);
    expect(runKey({ key: 'Escape' }, ctx)).toBe(true);
    expect(ctx.store.getState().highlight).toEqual([]);
  });

  it('the speed keys go from slow motion to as fast as possible', () => {
    const ctx = context();
    const speeds = ['1', '2', '3', '4', '5', '6', '7'].map((key) => {
      runKey({ key }, ctx);
      return ctx.store.getState().speed;
    });
    expect(speeds).toEqual([0.01, 0.1, 1, 10, 100, 1000, 'max']);
  });
});
