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
export function classColor(probs) {
  const k = probs.length;
  let best = 0;
  const c = [0, 0, 0];
  probs.forEach((p, j) => {
    const rgb = hexToRgb(CLASS_COLORS[j % CLASS_COLORS.length]);
    for (let q = 0; q < 3; q++) c[q] += p * rgb[q];
    best = Math.max(best, p);
  });
  const t = Math.max(0, Math.min(1, (best - 1 / k) / (1 - 1 / k)));
  return mix(WHITE, c, 0.15 + 0.55 * t);
}
export function valueColor(v, lo, hi) {
  const mid = (lo + hi) / 2, half = Math.max((hi - lo) / 2, 1e-9);
  return diverging((v - mid) / half);
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
