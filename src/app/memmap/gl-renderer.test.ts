// The WebGL2 renderer's upload path, against a WebGL2 context that records calls: what reaches the GPU
// each frame must be the changed rows only, straight from the core's tables.
import { describe, expect, it } from 'vitest';
import { DIRTY_CHUNK_SHIFT, FRAME_BALLOON } from '../../core/abi.ts';
import { emptyGrid, fitCamera, layoutPanes, type ViewMode } from './camera.ts';
import { GlMapRenderer } from './gl-renderer.ts';
import { mapLayout } from './layout.ts';
import type { MapScene, MapSource } from './renderer.ts';

interface Call {
  name: string;
  args: unknown[];
}

function recordingGl(): { gl: WebGL2RenderingContext; calls: Call[] } {
  const calls: Call[] = [];
  const constants = new Map<string, number>();
  const gl = new Proxy(
    {},
    {
      get(_, prop: string) {
        if (/^[A-Z0-9_]+$/.test(prop)) {
          if (!constants.has(prop)) constants.set(prop, 0x1000 + constants.size);
          return constants.get(prop);
        }
        return (...args: unknown[]) => {
          calls.push({ name: prop, args });
          if (prop.startsWith('create')) return { created: prop };
          if (prop === 'getUniformLocation') return { uniform: args[1] };
          if (prop === 'getShaderParameter' || prop === 'getProgramParameter') return true;
          if (prop === 'isContextLost') return false;
          return undefined;
        };
      },
    },
  );
  return { gl: gl as WebGL2RenderingContext, calls };
}

const fakeCanvas = () =>
  ({
    width: 1200,
    height: 600,
    addEventListener() {},
    removeEventListener() {},
  }) as unknown as HTMLCanvasElement;

function setup(frames = 4194304, mode: ViewMode = 'split') {
  const { gl, calls } = recordingGl();
  const r = new GlMapRenderer(fakeCanvas(), gl);
  const layout = mapLayout(frames);
  const panes = layoutPanes(mode, { width: 1200, height: 600 });
  const scene: MapScene = {
    theme: 'light',
    dpr: 1,
    panes,
    camera: fitCamera(layout, panes[0]),
    grid: emptyGrid(),
    cursor: -1,
    hover: -1,
  };
  const source: MapSource = {
    frames: new Uint8Array(frames),
    host: new Uint8Array(frames),
    dirty: new Uint8Array(Math.ceil(frames / 1024)),
    chunkShift: DIRTY_CHUNK_SHIFT,
  };
  const uploads = () => calls.filter((c) => c.name === 'texSubImage2D');
  const draws = () => calls.filter((c) => c.name === 'drawArrays').length;
  return { r, calls, scene, source, uploads, draws, layout };
}

/** texSubImage2D(target, level, x, y, width, height, format, type, data, offset) → the parts that matter. */
const summary = (c: Call) => {
  const [, level, , y, width, height, , , data, offset] = c.args as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    Uint8Array,
    number,
  ];
  return { level, y, width, height, data, offset };
};

describe('WebGL2 renderer uploads', () => {
  it('uploads both views in full on the first frame, straight from the tables', () => {
    const { r, scene, source, uploads, draws } = setup();
    expect(r.render(source, scene, false)).toBe(true);
    const level0 = uploads()
      .map(summary)
      .filter((u) => u.level === 0 && u.data !== undefined && u.offset !== undefined);
    expect(level0.map((u) => [u.y, u.width, u.height, u.offset])).toEqual([
      [0, 2048, 2048, 0],
      [0, 2048, 2048, 0],
    ]);
    expect(level0[0].data).toBe(source.frames); // no copy
    expect(level0[1].data).toBe(source.host);
    expect(draws()).toBe(2); // one triangle per pane
  });

  it('then uploads only the rows the dirty chunks touch, at every level', () => {
    const { r, scene, source, uploads, draws } = setup();
    r.render(source, scene, false);
    const before = uploads().length;
    source.frames.fill(FRAME_BALLOON, 5120, 5376); // 256 frames in chunk 5: row 2
    source.dirty[5] = 1;
    r.render(source, scene, false);
    const now = uploads().slice(before).map(summary);
    // Both views (a dirty chunk does not say which table changed), 12 levels each.
    expect(now.length).toBe(2 * 12);
    const guest = now.slice(0, 12);
    expect(guest[0]).toMatchObject({ level: 0, y: 2, width: 2048, height: 1, offset: 2 * 2048 });
    expect(guest[0].data).toBe(source.frames);
    expect(guest.slice(1).map((u) => [u.level, u.y, u.height])).toEqual(
      Array.from({ length: 11 }, (_, k) => [k + 1, 2 >> (k + 1), 1]),
    );
    expect(draws()).toBe(4);
  });

  it('redraws only the screen rows that show the changed map rows', () => {
    const { r, scene, source, calls } = setup();
    r.render(source, scene, false);
    const mark = calls.length;
    source.dirty[2048] = 1; // row 1024 of 2048: the middle of the map
    r.render(source, scene, false);
    const since = calls.slice(mark);
    expect(since.some((c) => c.name === 'clear')).toBe(false);
    const scissors = since.filter((c) => c.name === 'scissor').map((c) => c.args as number[]);
    expect(scissors).toHaveLength(2); // one strip in each pane
    const pane = scene.panes[0];
    for (const [, , width, height] of scissors) {
      expect(width).toBe(pane.width);
      expect(height).toBeLessThanOrEqual(4); // a row is a fraction of a pixel here, plus slack
    }
    // The strip sits where row 1024 is drawn (window y counts from the bottom).
    const y = 600 - scissors[0][1] - scissors[0][3];
    const rowAt = pane.y + (1024 - scene.camera.y) * scene.camera.scale;
    expect(Math.abs(y - rowAt)).toBeLessThanOrEqual(3);
  });

  it('uploads and draws nothing when nothing changed', () => {
    const { r, scene, source, uploads, draws } = setup();
    r.render(source, scene, false);
    const n = uploads().length;
    expect(r.render(source, scene, false)).toBe(false);
    expect(uploads().length).toBe(n);
    expect(draws()).toBe(2);
    expect(r.render(source, scene, true)).toBe(true); // the camera moved: draw, but upload nothing
    expect(uploads().length).toBe(n);
    expect(draws()).toBe(4);
  });

  it('leaves a hidden view behind and catches it up in full when it shows again', () => {
    const { r, scene, source, uploads } = setup(4194304, 'guest');
    r.render(source, scene, false);
    const first = uploads().map(summary);
    expect(first.filter((u) => u.level === 0 && u.data === source.host)).toEqual([]);
    source.dirty[0] = 1;
    const before = uploads().length;
    r.render(source, scene, false);
    expect(
      uploads()
        .slice(before)
        .map(summary)
        .every((u) => u.data !== source.host),
    ).toBe(true);
    source.dirty[0] = 0;
    scene.panes = layoutPanes('split', { width: 1200, height: 600 });
    const mark = uploads().length;
    r.render(source, scene, true);
    const caughtUp = uploads()
      .slice(mark)
      .map(summary)
      .filter((u) => u.level === 0 && u.data === source.host);
    expect(caughtUp.map((u) => [u.y, u.height])).toEqual([[0, 2048]]);
  });

  it('uploads the last, partial row only as far as the frames go', () => {
    const frames = 786432 + 100; // 1024 columns: 768 full rows, and a last one that holds 100
    const { r, scene, source, uploads, layout } = setup(frames);
    r.render(source, scene, false);
    const level0 = uploads()
      .map(summary)
      .filter((u) => u.level === 0 && u.data === source.frames);
    const full = Math.floor(frames / layout.cols);
    expect(level0.map((u) => [u.y, u.width, u.height, u.offset])).toEqual([
      [0, layout.cols, full, 0],
      [full, frames - full * layout.cols, 1, full * layout.cols],
    ]);
  });

  it('starts over when the tables are replaced (core.init), at the new size', () => {
    const { r, scene, source, calls } = setup(1048576);
    r.render(source, scene, false);
    const storage = () => calls.filter((c) => c.name === 'texStorage2D').map((c) => c.args.slice(1));
    expect(storage()).toEqual([
      [11, expect.any(Number), 1024, 1024],
      [11, expect.any(Number), 1024, 1024],
    ]);
    const bigger: MapSource = { ...source, frames: new Uint8Array(4194304), host: new Uint8Array(4194304) };
    bigger.dirty = new Uint8Array(4096);
    r.render(bigger, scene, false);
    expect(storage().slice(2)).toEqual([
      [12, expect.any(Number), 2048, 2048],
      [12, expect.any(Number), 2048, 2048],
    ]);
    expect(calls.filter((c) => c.name === 'deleteTexture').length).toBe(4); // the old states and palettes
  });
});
