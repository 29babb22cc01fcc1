// glassnet playground: small helpers shared by the page's modules (DOM, number formats, colours, canvases).
// Nothing here holds state; nothing here knows about neural networks.

export const $ = (id) => document.getElementById(id);
export const CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd"];
export const POS = [8, 119, 189], NEG = [245, 147, 34], WHITE = [255, 255, 255];

/** base64 of little-endian float32 (as the server sends arrays) -> Float32Array. */
export function decode(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** A number for a table cell or a tooltip: `digits` significant digits, exponent form when tiny or huge. */
export function fmt(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

function stripZeros(digits) {   // "1.2300" -> "1.23", "2.000" -> "2"
  if (!digits.includes(".")) return digits;
  let end = digits.length;
  while (digits[end - 1] === "0") end--;
  if (digits[end - 1] === ".") end--;
  return digits.slice(0, end);
}

/** A number as Python's `%.{p}g` writes it (the walkthrough's format); null (not finite) as "–". */
export function fmtG(v, p = 6) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";   // -0 too
  const [mantissa, e] = v.toExponential(p - 1).split("e");
  const exp = Number(e);
  if (exp < -4 || exp >= p) return `${stripZeros(mantissa)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return stripZeros(v.toFixed(Math.max(0, p - 1 - exp)));
}

export function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export function randomId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// -- colours
export function mix(c1, c2, t) {
  return [0, 1, 2].map((i) => Math.round(c1[i] + (c2[i] - c1[i]) * t));
}
export function hexToRgb(h) {
  return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
}
/** v in [-1, 1] -> orange (negative), white (0), blue (positive). */
export function diverging(v) {
  const t = Math.max(-1, Math.min(1, v));
  return t >= 0 ? mix(WHITE, POS, t) : mix(WHITE, NEG, -t);
}
export function classProbs(values, i, nOut) {
  if (nOut === 1) { const p = values[i]; return [1 - p, p]; }
  const probs = Array.from(values.subarray(i * nOut, i * nOut + nOut));
  const sum = probs.reduce((a, b) => a + b, 0);   // softmax sums to 1; sigmoid outputs (the mse cost) need not
  return sum > 0 ? probs.map((p) => p / sum) : probs.map(() => 1 / nOut);
}
/** The colour of a predicted class mix: the classes' colours weighted by probability, paler when unsure. */
export function classColor(probs, palette = CLASS_COLORS) {
  const k = probs.length;
  let best = 0;
  const c = [0, 0, 0];
  probs.forEach((p, j) => {
    const rgb = hexToRgb(palette[j % palette.length]);
    for (let q = 0; q < 3; q++) c[q] += p * rgb[q];
    best = Math.max(best, p);
  });
  const t = Math.max(0, Math.min(1, (best - 1 / k) / (1 - 1 / k)));
  return mix(WHITE, c, 0.15 + 0.55 * t);
}
/** A number to predict, lo..hi -> a sequential colour map (viridis' stops, dark purple to yellow): every
 * value, the middle of the range too, stands apart from the white page and from its neighbours. */
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
export function valueColor(v, lo, hi) {
  const t = Math.max(0, Math.min(1, (v - lo) / Math.max(hi - lo, 1e-9))) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(t));
  return mix(VIRIDIS[i], VIRIDIS[i + 1], t - i);
}
export const VALUE_GRADIENT = `linear-gradient(to right, ${VIRIDIS.map((c) => `rgb(${c.join(",")})`).join(", ")})`;

/** Class names that name a colour are drawn in it (an upload's "red"/"green"/"blue" labels); the others take
 * the palette in order. Returns one hex colour per class. */
const NAMED = { red: "#d62728", green: "#2ca02c", blue: "#0877bd", orange: "#f59322", purple: "#9467bd",
  yellow: "#e0b000", black: "#1f2933", grey: "#7f7f7f", gray: "#7f7f7f", brown: "#8c564b", pink: "#e377c2" };
export function classPalette(names) {
  const taken = new Set();
  const out = names.map((n) => {
    const c = NAMED[String(n).trim().toLowerCase()];
    if (c && !taken.has(c)) { taken.add(c); return c; }
    return null;
  });
  let next = 0;
  return out.map((c) => {
    if (c) return c;
    while (taken.has(CLASS_COLORS[next % CLASS_COLORS.length]) && next < 2 * CLASS_COLORS.length) next++;
    const pick = CLASS_COLORS[next % CLASS_COLORS.length];
    taken.add(pick); next++;
    return pick;
  });
}

/** Each class also has a shape, so colour is not the only cue: circle, square, triangle, diamond, cross. */
export const SHAPES = ["circle", "square", "triangle", "diamond", "cross"];
export function shapePath(ctx, shape, x, y, r) {
  ctx.beginPath();
  if (shape === "square") ctx.rect(x - 0.85 * r, y - 0.85 * r, 1.7 * r, 1.7 * r);
  else if (shape === "triangle") { ctx.moveTo(x, y - 1.15 * r); ctx.lineTo(x + r, y + 0.75 * r); ctx.lineTo(x - r, y + 0.75 * r); ctx.closePath(); }
  else if (shape === "diamond") { ctx.moveTo(x, y - 1.2 * r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + 1.2 * r); ctx.lineTo(x - r, y); ctx.closePath(); }
  else if (shape === "cross") {
    const a = 0.35 * r;
    for (const [px, py] of [[-a, -r], [a, -r], [a, -a], [r, -a], [r, a], [a, a], [a, r], [-a, r], [-a, a], [-r, a], [-r, -a], [-a, -a]]) {
      ctx.lineTo(x + px, y + py);
    }
    ctx.closePath();
  } else ctx.arc(x, y, r, 0, 2 * Math.PI);
}
/** The same shape as a small inline SVG for the legends. */
export function shapeSvg(shape, color) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", "14"); svg.setAttribute("height", "14"); svg.setAttribute("viewBox", "-7 -7 14 14");
  svg.setAttribute("aria-hidden", "true"); svg.setAttribute("class", "shape");
  const path = document.createElementNS(ns, "path");
  const r = 5, a = 0.35 * r;
  const d = {
    circle: `M ${-r} 0 A ${r} ${r} 0 1 0 ${r} 0 A ${r} ${r} 0 1 0 ${-r} 0 Z`,
    square: `M -4.25 -4.25 H 4.25 V 4.25 H -4.25 Z`,
    triangle: `M 0 -5.75 L 5 3.75 L -5 3.75 Z`,
    diamond: `M 0 -6 L 5 0 L 0 6 L -5 0 Z`,
    cross: `M ${-a} ${-r} H ${a} V ${-a} H ${r} V ${a} H ${a} V ${r} H ${-a} V ${a} H ${-r} V ${-a} H ${-a} Z`,
  }[shape];
  path.setAttribute("d", d); path.setAttribute("fill", color); path.setAttribute("stroke", "#1f2933");
  path.setAttribute("stroke-width", "0.8");
  svg.append(path);
  return svg;
}

// -- canvases
export function setupCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = width + "px";
  canvas.style.height = height + "px";
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

/** Paint a res x res grid (row 0 at the top) of colours, smoothly scaled into (x, y, w, h). */
export function paintGrid(ctx, res, colorAt, x, y, w, h) {
  const off = document.createElement("canvas");
  off.width = res; off.height = res;
  const octx = off.getContext("2d");
  const img = octx.createImageData(res, res);
  for (let i = 0; i < res * res; i++) {
    const c = colorAt(i);
    img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = 255;
  }
  octx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, x, y, w, h);
}
