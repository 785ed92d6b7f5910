// GLSL ES 3.00 for the WebGL2 renderer. One full-screen triangle a pane; the fragment shader turns a
// device pixel into a map point, fetches the state byte (an R8UI texel; a reduced mip level when zoomed
// out, see mip.ts), looks its fill, ink and pattern up in the palette texture, and adds the cell gaps,
// the GiB/MiB lines and the cursor and hover rings. Nothing is filtered: every cell has hard edges.
//
// The colour of a pixel depends on nothing but its position, the uniforms and the textures, so the
// renderer may redraw any rectangle of a pane alone (it redraws only the rows that changed).
import { PATTERN_PERIOD } from './palette.ts';

const PERIOD = PATTERN_PERIOD.toFixed(1);

/** No vertex buffer: the triangle's corners come from gl_VertexID. */
export const VERTEX_SHADER = `#version 300 es
void main() {
  vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
`;

export const FRAGMENT_SHADER = `#version 300 es
precision highp float;
precision highp int;
precision highp usampler2D;

uniform usampler2D uStates;     // one byte a cell, levels 0… (level k: one texel per 2^k × 2^k cells)
uniform highp sampler2D uPalette; // 16 × 3 RGBA8: fill, ink, (pattern, priority)
uniform highp sampler2D uPatterns; // every pattern's tile side by side (palette.ts: patternAtlas)
uniform vec2 uPaneTopLeft;      // the pane's top-left corner in window coordinates (y up)
uniform vec2 uOrigin;           // the map point (cells) at that corner
uniform float uCellsPerPx;      // cells per device pixel
uniform int uLevel;
uniform vec2 uMapSize;          // cols, rows
uniform vec2 uPatternOffset;    // device pixels: anchors patterns to the map, so they pan with it
uniform float uPatternUnit;     // device pixels per pattern pixel (the device pixel ratio)
uniform vec3 uBackground;
uniform vec3 uGap;
uniform vec3 uGrid;
uniform float uGapCells;        // 0, or the width of the gap between cells, in cells
uniform float uLineCells;       // one line's width, in cells
uniform vec3 uLines;            // every majorRows rows, minorRows rows, minorCols cells (0: none)
uniform vec4 uCursor;           // rectangles in pane device pixels (x0, y0, x1, y1)
uniform vec4 uHover;
uniform vec3 uRingOuter;
uniform vec3 uRingInner;
uniform vec3 uHoverColour;
uniform float uRingPx;

out vec4 outColour;

// How far p lies outside rectangle r (Chebyshev distance; ≤ 0 inside).
float outside(vec2 p, vec4 r) {
  vec2 o = max(r.xy - p, p - r.zw);
  return max(o.x, o.y);
}

// On a line every "every" cells (not the map's first edge, which the background already marks).
bool onLine(float v, float every, float width) {
  return every > 0.0 && v >= every && mod(v, every) < width;
}

void main() {
  vec2 p = vec2(gl_FragCoord.x - uPaneTopLeft.x, uPaneTopLeft.y - gl_FragCoord.y);

  float dc = outside(p, uCursor);
  if (dc > 0.0 && dc <= 1.5 * uRingPx) { outColour = vec4(uRingInner, 1.0); return; }
  if (dc > 1.5 * uRingPx && dc <= 3.5 * uRingPx) { outColour = vec4(uRingOuter, 1.0); return; }
  float dh = outside(p, uHover);
  if (dh > 0.0 && dh <= uRingPx) { outColour = vec4(uHoverColour, 1.0); return; }

  vec2 m = uOrigin + p * uCellsPerPx;
  if (m.x < 0.0 || m.y < 0.0 || m.x >= uMapSize.x || m.y >= uMapSize.y) {
    outColour = vec4(uBackground, 1.0);
    return;
  }
  uint s = texelFetch(uStates, ivec2(floor(m)) >> uLevel, uLevel).r;
  if (s == 255u) { outColour = vec4(uBackground, 1.0); return; }
  int slot = min(int(s), 15);
  vec3 fill = texelFetch(uPalette, ivec2(slot, 0), 0).rgb;
  vec3 inkColour = texelFetch(uPalette, ivec2(slot, 1), 0).rgb;
  int pattern = int(texelFetch(uPalette, ivec2(slot, 2), 0).r * 255.0 + 0.5);
  vec2 q = mod(floor((p + uPatternOffset) / uPatternUnit), ${PERIOD});
  bool inked = texelFetch(uPatterns, ivec2(q) + ivec2(pattern * ${PATTERN_PERIOD}, 0), 0).r > 0.5;
  vec3 c = inked ? inkColour : fill;

  vec2 f = fract(m);
  if (uGapCells > 0.0 && (f.x < uGapCells || f.y < uGapCells)) c = uGap;
  if (onLine(m.x, uLines.z, uLineCells) || onLine(m.y, uLines.y, uLineCells)) c = mix(c, uGrid, 0.25);
  if (onLine(m.y, uLines.x, uLineCells)) c = mix(c, uGrid, 0.5);
  outColour = vec4(c, 1.0);
}
`;
