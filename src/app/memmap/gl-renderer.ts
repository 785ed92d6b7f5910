// The map on WebGL2: each view's state bytes live in an R8UI texture laid out like the map (one texel
// per frame, `cols` frames a row; layout.ts) with reduced levels for zooming out (mip.ts), the palette
// in a 16 × 3 lookup texture and the patterns in an atlas. A frame's work is the texSubImage2D of the
// rows the dirty chunks touched, straight from wasm memory, and a redraw of just the screen rows that
// show them (the drawing buffer is preserved; the shader is a pure function of the pixel, so a
// scissored redraw matches a full one). Colours, patterns and lines are computed on the GPU, never as
// an RGBA image on the CPU. The camera moving, the theme or the panes changing redraw everything.
import { type Grid, mipLevel } from './camera.ts';
import { dirtyRowRanges, levelHeight, levelWidth, type MapLayout, mapLayout } from './layout.ts';
import { StateMips } from './mip.ts';
import {
  CHROME,
  type MapView,
  OUTSIDE,
  PATTERN_COUNT,
  PATTERN_PERIOD,
  paletteTexels,
  parseHex,
  patternAtlas,
  priorityTable,
  STATE_SLOTS,
  type Theme,
} from './palette.ts';
import {
  cellRect,
  type MapRenderer,
  type MapScene,
  type MapSource,
  NO_RECT,
  paneDevice,
  patternOffset,
  type Rect,
  shows,
} from './renderer.ts';
import { FRAGMENT_SHADER, VERTEX_SHADER } from './shaders.ts';

const UNIFORMS = [
  'uStates',
  'uPalette',
  'uPatterns',
  'uPaneTopLeft',
  'uOrigin',
  'uCellsPerPx',
  'uLevel',
  'uMapSize',
  'uPatternOffset',
  'uPatternUnit',
  'uBackground',
  'uGap',
  'uGrid',
  'uGapCells',
  'uLineCells',
  'uLines',
  'uCursor',
  'uHover',
  'uRingOuter',
  'uRingInner',
  'uHoverColour',
  'uRingPx',
] as const;
type UniformName = (typeof UNIFORMS)[number];

/** The cursor ring is at least this many CSS pixels wide, whatever the zoom. */
const CURSOR_MIN_PX = 9;
const HOVER_MIN_PX = 5;

interface ViewResources {
  view: MapView;
  states: WebGLTexture;
  palette: WebGLTexture;
  mips: StateMips;
  /** Whether the texture is behind the tables (never filled, or changed while the view was hidden). */
  stale: boolean;
  theme: Theme | null;
}

interface ChromeColours {
  background: Float32Array;
  gap: Float32Array;
  grid: Float32Array;
  ringOuter: Float32Array;
  ringInner: Float32Array;
  hover: Float32Array;
  clear: [number, number, number];
}

function colour(hex: string): Float32Array {
  const [r, g, b] = parseHex(hex);
  return new Float32Array([r / 255, g / 255, b / 255]);
}

function chromeColours(theme: Theme): ChromeColours {
  const c = CHROME[theme];
  const bg = colour(c.background);
  return {
    background: bg,
    gap: colour(c.gap),
    grid: colour(c.grid),
    ringOuter: colour(c.cursorOuter),
    ringInner: colour(c.cursorInner),
    hover: colour(c.hover),
    clear: [bg[0], bg[1], bg[2]],
  };
}

/** Creates the WebGL2 renderer, or returns null where the browser has no WebGL2. */
export function createGlRenderer(canvas: HTMLCanvasElement): GlMapRenderer | null {
  const gl = canvas.getContext('webgl2', {
    alpha: false,
    antialias: false,
    depth: false,
    stencil: false,
    premultipliedAlpha: false,
    // Kept from frame to frame, so that a frame redraws only the rows that changed.
    preserveDrawingBuffer: true,
  });
  return gl ? new GlMapRenderer(canvas, gl) : null;
}

export class GlMapRenderer implements MapRenderer {
  readonly kind = 'webgl2';
  private program: WebGLProgram | null = null;
  private vao: WebGLVertexArrayObject | null = null;
  private patterns: WebGLTexture | null = null;
  private u = {} as Record<UniformName, WebGLUniformLocation | null>;
  private layout: MapLayout | null = null;
  private views: ViewResources[] = [];
  private frames: Uint8Array | null = null;
  private host: Uint8Array | null = null;
  /** Scratch: the dirty row ranges of level 0 in this render. */
  private rows = new Int32Array(2);
  /** Scratch: those rows as strips of pane device pixels [y0, y1), merged. */
  private strips = new Int32Array(2);
  /** The drawing buffer's size at the last full draw: a resize clears it. */
  private drawnWidth = 0;
  private drawnHeight = 0;
  private lost = false;
  private chrome: Record<Theme, ChromeColours> = {
    light: chromeColours('light'),
    dark: chromeColours('dark'),
  };
  private readonly rect: Rect = [0, 0, 0, 0];
  private readonly cursorRect: Rect = [0, 0, 0, 0];
  private readonly hoverRect: Rect = [0, 0, 0, 0];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly gl: WebGL2RenderingContext,
  ) {
    canvas.addEventListener('webglcontextlost', this.onLost);
    canvas.addEventListener('webglcontextrestored', this.onRestored);
    this.createProgram();
  }

  private onLost = (e: Event): void => {
    // Without preventDefault the context never comes back.
    e.preventDefault();
    this.lost = true;
  };

  private onRestored = (): void => {
    this.lost = false;
    this.views = [];
    this.layout = null;
    this.frames = null;
    this.createProgram();
  };

  private createProgram(): void {
    const gl = this.gl;
    const compile = (type: number, source: string) => {
      const shader = gl.createShader(type);
      if (!shader) throw new Error('memory map: cannot create a shader');
      gl.shaderSource(shader, source);
      gl.compileShader(shader);
      if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS) && !gl.isContextLost()) {
        throw new Error(`memory map: shader does not compile: ${gl.getShaderInfoLog(shader)}`);
      }
      return shader;
    };
    const vs = compile(gl.VERTEX_SHADER, VERTEX_SHADER);
    const fs = compile(gl.FRAGMENT_SHADER, FRAGMENT_SHADER);
    const program = gl.createProgram();
    gl.attachShader(program, vs);
    gl.attachShader(program, fs);
    gl.linkProgram(program);
    gl.deleteShader(vs);
    gl.deleteShader(fs);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS) && !gl.isContextLost()) {
      throw new Error(`memory map: program does not link: ${gl.getProgramInfoLog(program)}`);
    }
    this.program = program;
    for (const name of UNIFORMS) this.u[name] = gl.getUniformLocation(program, name);
    this.vao = gl.createVertexArray();
    // biome-ignore lint/correctness/useHookAtTopLevel: WebGL's useProgram, not a React hook
    gl.useProgram(program);
    gl.uniform1i(this.u.uStates, 0);
    gl.uniform1i(this.u.uPalette, 1);
    gl.uniform1i(this.u.uPatterns, 2);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    this.patterns = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, this.patterns);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texImage2D(
      gl.TEXTURE_2D,
      0,
      gl.R8,
      PATTERN_PERIOD * PATTERN_COUNT,
      PATTERN_PERIOD,
      0,
      gl.RED,
      gl.UNSIGNED_BYTE,
      patternAtlas(),
    );
    this.drawnWidth = 0;
  }

  invalidate(): void {
    for (const v of this.views) v.stale = true;
  }

  render(source: MapSource, scene: MapScene, sceneChanged: boolean): boolean {
    if (this.lost || !this.program) return false;
    let all =
      sceneChanged || this.canvas.width !== this.drawnWidth || this.canvas.height !== this.drawnHeight;
    if (source.frames !== this.frames || source.host !== this.host) {
      // A new guest (core.init) or the first render: new tables, maybe of another size.
      this.allocate(mapLayout(source.frames.length));
      this.frames = source.frames;
      this.host = source.host;
      all = true;
    }
    const layout = this.layout!;
    if (this.rows.length < 2 * (layout.rows + 1)) {
      this.rows = new Int32Array(2 * (layout.rows + 1));
      this.strips = new Int32Array(2 * (layout.rows + 1));
    }
    const n = dirtyRowRanges(source.dirty, source.chunkShift, layout, this.rows);
    let rows = false;
    for (let k = 0; k < this.views.length; k++) {
      const v = this.views[k];
      if (!shows(scene, v.view)) {
        if (n > 0) v.stale = true;
        continue;
      }
      const states = v.view === 'guest' ? source.frames : source.host;
      if (v.stale) {
        this.uploadAll(v, states);
        all = true;
      } else if (n > 0) {
        this.uploadRows(v, states, n);
        rows = true;
      }
      if (v.theme !== scene.theme) {
        this.uploadPalette(v, scene.theme);
        all = true;
      }
    }
    if (all) this.draw(scene, 0);
    else if (rows) this.draw(scene, n);
    return all || rows;
  }

  private allocate(layout: MapLayout): void {
    const gl = this.gl;
    for (const v of this.views) {
      gl.deleteTexture(v.states);
      gl.deleteTexture(v.palette);
    }
    this.layout = layout;
    this.views = (['guest', 'host'] as const).map((view) => {
      const states = gl.createTexture();
      gl.bindTexture(gl.TEXTURE_2D, states);
      gl.texStorage2D(gl.TEXTURE_2D, layout.levels, gl.R8UI, layout.cols, layout.texRows);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST_MIPMAP_NEAREST);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
      // Past the last frame: OUTSIDE, drawn as background. Written once; frames never land there.
      const full = Math.floor(layout.frames / layout.cols);
      const pad = new Uint8Array(layout.cols * (layout.texRows - full)).fill(OUTSIDE);
      if (pad.length > 0) {
        gl.texSubImage2D(
          gl.TEXTURE_2D,
          0,
          0,
          full,
          layout.cols,
          layout.texRows - full,
          gl.RED_INTEGER,
          gl.UNSIGNED_BYTE,
          pad,
        );
      }
      const palette = gl.createTexture();
      gl.bindTexture(gl.TEXTURE_2D, palette);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
      return {
        view,
        states,
        palette,
        mips: new StateMips(layout, priorityTable(view)),
        stale: true,
        theme: null,
      };
    });
  }

  private uploadPalette(v: ViewResources, theme: Theme): void {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, v.palette);
    gl.texImage2D(
      gl.TEXTURE_2D,
      0,
      gl.RGBA8,
      STATE_SLOTS,
      3,
      0,
      gl.RGBA,
      gl.UNSIGNED_BYTE,
      paletteTexels(v.view, theme),
    );
    v.theme = theme;
  }

  private uploadAll(v: ViewResources, states: Uint8Array): void {
    const layout = this.layout!;
    this.gl.bindTexture(this.gl.TEXTURE_2D, v.states);
    this.uploadLevel0(states, 0, layout.rows);
    v.mips.rebuild(states);
    this.uploadMips(v);
    v.stale = false;
  }

  private uploadRows(v: ViewResources, states: Uint8Array, n: number): void {
    this.gl.bindTexture(this.gl.TEXTURE_2D, v.states);
    const rows = this.rows;
    for (let r = 0; r < n; r++) this.uploadLevel0(states, rows[2 * r], rows[2 * r + 1]);
    v.mips.update(states, rows, n);
    this.uploadMips(v);
  }

  /** Rows [y0, y1) of level 0, read straight from the table in wasm memory. */
  private uploadLevel0(states: Uint8Array, y0: number, y1: number): void {
    const gl = this.gl;
    const { cols, frames } = this.layout!;
    const full = Math.floor(frames / cols);
    const end = Math.min(y1, full);
    if (end > y0) {
      gl.texSubImage2D(
        gl.TEXTURE_2D,
        0,
        0,
        y0,
        cols,
        end - y0,
        gl.RED_INTEGER,
        gl.UNSIGNED_BYTE,
        states,
        y0 * cols,
      );
    }
    if (y1 > full && full * cols < frames) {
      // The last, partial row: only the frames that exist (the view ends there).
      const width = frames - full * cols;
      gl.texSubImage2D(
        gl.TEXTURE_2D,
        0,
        0,
        full,
        width,
        1,
        gl.RED_INTEGER,
        gl.UNSIGNED_BYTE,
        states,
        full * cols,
      );
    }
  }

  private uploadMips(v: ViewResources): void {
    const gl = this.gl;
    const layout = this.layout!;
    for (let k = 1; k < layout.levels; k++) {
      const w = levelWidth(layout, k);
      const texels = v.mips.level(k);
      const ranges = v.mips.rangesOf(k);
      for (let r = 0; r < v.mips.rangeCount(k); r++) {
        const y0 = ranges[2 * r];
        const y1 = Math.min(ranges[2 * r + 1], levelHeight(layout, k));
        if (y1 > y0) {
          gl.texSubImage2D(
            gl.TEXTURE_2D,
            k,
            0,
            y0,
            w,
            y1 - y0,
            gl.RED_INTEGER,
            gl.UNSIGNED_BYTE,
            texels,
            y0 * w,
          );
        }
      }
    }
  }

  /** Draws every pane (rowRanges 0), or only the screen rows of the first rowRanges dirty ranges. */
  private draw(scene: MapScene, rowRanges: number): void {
    const gl = this.gl;
    const u = this.u;
    const layout = this.layout!;
    const { camera: cam, dpr } = scene;
    const chrome = this.chrome[scene.theme];
    const height = this.canvas.height;

    if (rowRanges === 0) {
      gl.viewport(0, 0, this.canvas.width, height);
      gl.disable(gl.SCISSOR_TEST);
      gl.clearColor(chrome.clear[0], chrome.clear[1], chrome.clear[2], 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
      this.drawnWidth = this.canvas.width;
      this.drawnHeight = height;
    }
    // biome-ignore lint/correctness/useHookAtTopLevel: WebGL's useProgram, not a React hook
    gl.useProgram(this.program);
    gl.bindVertexArray(this.vao);

    const cellsPerPx = 1 / (cam.scale * dpr);
    const grid: Grid = scene.grid;
    gl.uniform2f(u.uOrigin, cam.x, cam.y);
    gl.uniform1f(u.uCellsPerPx, cellsPerPx);
    gl.uniform1i(u.uLevel, mipLevel(cellsPerPx, layout.levels));
    gl.uniform2f(u.uMapSize, layout.cols, layout.rows);
    gl.uniform2f(
      u.uPatternOffset,
      patternOffset(cam.x, cam.scale, dpr),
      patternOffset(cam.y, cam.scale, dpr),
    );
    gl.uniform1f(u.uPatternUnit, dpr);
    gl.uniform3fv(u.uBackground, chrome.background);
    gl.uniform3fv(u.uGap, chrome.gap);
    gl.uniform3fv(u.uGrid, chrome.grid);
    gl.uniform1f(u.uGapCells, grid.gaps ? cellsPerPx * Math.max(1, Math.round(dpr)) : 0);
    gl.uniform1f(u.uLineCells, cellsPerPx * Math.max(1, Math.round(dpr)));
    gl.uniform3f(u.uLines, grid.majorRows, grid.minorRows, grid.minorCols);
    const c =
      scene.cursor >= 0 ? cellRect(layout, scene.cursor, cam, dpr, CURSOR_MIN_PX, this.cursorRect) : NO_RECT;
    const h =
      scene.hover >= 0 && scene.hover !== scene.cursor
        ? cellRect(layout, scene.hover, cam, dpr, HOVER_MIN_PX, this.hoverRect)
        : NO_RECT;
    gl.uniform4f(u.uCursor, c[0], c[1], c[2], c[3]);
    gl.uniform4f(u.uHover, h[0], h[1], h[2], h[3]);
    gl.uniform3fv(u.uRingOuter, chrome.ringOuter);
    gl.uniform3fv(u.uRingInner, chrome.ringInner);
    gl.uniform3fv(u.uHoverColour, chrome.hover);
    gl.uniform1f(u.uRingPx, Math.max(1, Math.round(dpr)));

    gl.activeTexture(gl.TEXTURE2);
    gl.bindTexture(gl.TEXTURE_2D, this.patterns);
    const level = mipLevel(cellsPerPx, layout.levels);
    gl.enable(gl.SCISSOR_TEST);
    for (let p = 0; p < scene.panes.length; p++) {
      const pane = scene.panes[p];
      const v = this.views[pane.view === 'guest' ? 0 : 1];
      const rect = paneDevice(pane, dpr, this.rect);
      const x = rect[0];
      const top = rect[1];
      const w = rect[2];
      const ph = rect[3];
      const y = height - top - ph;
      gl.viewport(x, y, w, ph);
      gl.uniform2f(u.uPaneTopLeft, x, height - top);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, v.states);
      gl.activeTexture(gl.TEXTURE1);
      gl.bindTexture(gl.TEXTURE_2D, v.palette);
      const strips = rowRanges === 0 ? 0 : this.screenStrips(scene, level, rowRanges, ph);
      if (strips < 0 || rowRanges === 0) {
        gl.scissor(x, y, w, ph);
        gl.drawArrays(gl.TRIANGLES, 0, 3);
        continue;
      }
      for (let k = 0; k < strips; k++) {
        const s0 = this.strips[2 * k];
        const s1 = this.strips[2 * k + 1];
        gl.scissor(x, height - top - s1, w, s1 - s0);
        gl.drawArrays(gl.TRIANGLES, 0, 3);
      }
    }
    gl.disable(gl.SCISSOR_TEST);
    gl.bindVertexArray(null);
  }

  /**
   * The pane device-pixel rows [y0, y1) that show the dirty map rows, into this.strips, merged; a pixel
   * of slack each side. At mip level k a texel spans 2^k rows, so a range widens to whole texels.
   * Returns how many strips, or -1 when they would cover most of the pane anyway.
   */
  private screenStrips(scene: MapScene, level: number, rowRanges: number, paneHeight: number): number {
    const { camera: cam, dpr } = scene;
    const s = cam.scale * dpr;
    const block = 2 ** level;
    let n = 0;
    let covered = 0;
    for (let r = 0; r < rowRanges; r++) {
      const c0 = Math.floor(this.rows[2 * r] / block) * block;
      const c1 = Math.ceil(this.rows[2 * r + 1] / block) * block;
      const y0 = Math.max(0, Math.floor((c0 - cam.y) * s) - 1);
      const y1 = Math.min(paneHeight, Math.ceil((c1 - cam.y) * s) + 1);
      if (y1 <= y0) continue;
      if (n > 0 && y0 <= this.strips[2 * n - 1]) {
        covered += Math.max(0, y1 - this.strips[2 * n - 1]);
        this.strips[2 * n - 1] = Math.max(y1, this.strips[2 * n - 1]);
      } else {
        this.strips[2 * n] = y0;
        this.strips[2 * n + 1] = y1;
        covered += y1 - y0;
        n++;
      }
    }
    return covered > paneHeight / 2 ? -1 : n;
  }

  dispose(): void {
    const gl = this.gl;
    this.canvas.removeEventListener('webglcontextlost', this.onLost);
    this.canvas.removeEventListener('webglcontextrestored', this.onRestored);
    for (const v of this.views) {
      gl.deleteTexture(v.states);
      gl.deleteTexture(v.palette);
    }
    this.views = [];
    if (this.vao) gl.deleteVertexArray(this.vao);
    if (this.patterns) gl.deleteTexture(this.patterns);
    this.patterns = null;
    if (this.program) gl.deleteProgram(this.program);
    this.vao = null;
    this.program = null;
    this.frames = null;
    this.host = null;
  }
}
