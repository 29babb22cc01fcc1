// glassnet playground: the network diagram. Forward view: line width |weight|, each hidden square that
// neuron's activation over the input plane. Backward view: line width |dJ/dw| and each square the neuron's
// delta for the chosen example, from the trace record. Hovering shows a neuron's or a weight's numbers.
import {
  $, NEG, POS, WHITE, classColor, diverging, fmt, hexToRgb, mix, paintGrid, setupCanvas, valueColor,
} from "./util.js";
import { store } from "./state.js";
import { layerColumns } from "./record.js";

const NODE = 34, GAP = 10, MAX_SHOWN = 10;
let layout = null;   // where the last drawing put each neuron and line, for the tooltip
export const diagramLayout = () => layout;

/** The backward view's numbers per layer (columns of the trace record), or null in the forward view. */
function backColumns() {
  const back = store.view === "backward" && store.backward ? store.backward : null;
  return back ? { x: back.trace.inputs[0], layers: back.trace.layers.map((l) => layerColumns(l)) } : null;
}

export function drawDiagram() {
  const d = store.data, f = store.frame;
  const canvas = $("diagram");
  const wrapWidth = Math.max(280, canvas.parentElement.clientWidth);
  if (!d || !f) { setupCanvas(canvas, wrapWidth, 200); return; }
  const sizes = d.sizes;
  const shown = sizes.map((n) => Math.min(n, MAX_SHOWN));
  const tallest = Math.max(...shown);
  const H = Math.max(220, tallest * (NODE + GAP) + 60);
  const W = Math.max(wrapWidth, sizes.length * 90);
  const ctx = setupCanvas(canvas, W, H);
  ctx.clearRect(0, 0, W, H);
  const colX = (l) => 40 + (l * (W - 80 - NODE)) / (sizes.length - 1);
  const nodeY = (l, i) => 30 + (H - 60 - shown[l] * (NODE + GAP) + GAP) / 2 + i * (NODE + GAP);
  const nodes = [];   // [l][i] = {x, y}
  for (let l = 0; l < sizes.length; l++) {
    nodes.push([]);
    for (let i = 0; i < shown[l]; i++) nodes[l].push({ x: colX(l), y: nodeY(l, i) });
  }
  const back = backColumns();
  const lines = [];
  // weights (or, in the backward view, the gradients) as lines
  for (let l = 1; l < sizes.length; l++) {
    const nOut = sizes[l];
    const w = store.weights[l - 1].w;
    const g = back ? back.layers[l - 1].gradWeights : null;
    const value = (k, j) => (g ? g[k][j] : w[k * nOut + j]);
    let maxAbs = 1e-12;
    for (let k = 0; k < shown[l - 1]; k++) for (let j = 0; j < shown[l]; j++) maxAbs = Math.max(maxAbs, Math.abs(value(k, j)));
    if (!g) maxAbs = Math.max(maxAbs, 1);
    for (let k = 0; k < shown[l - 1]; k++) for (let j = 0; j < shown[l]; j++) {
      const v = value(k, j);
      const t = Math.abs(v) / maxAbs;
      const a = nodes[l - 1][k], b = nodes[l][j];
      const x1 = a.x + NODE, y1 = a.y + NODE / 2, x2 = b.x, y2 = b.y + NODE / 2;
      ctx.strokeStyle = `rgba(${(v >= 0 ? POS : NEG).join(",")},${0.2 + 0.8 * t})`;
      ctx.lineWidth = 0.4 + 4 * t;
      ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); ctx.stroke();
      lines.push({ l, k, j, x1, y1, x2, y2 });
    }
  }
  // neurons
  const hv = f.hiddenValues, hres = f.hidden ? f.hidden.res : 0;
  for (let l = 0; l < sizes.length; l++) {
    let scale = 1;
    if (l > 0 && l < sizes.length - 1 && hv) {
      scale = 1e-9;
      for (const v of hv[l - 1]) scale = Math.max(scale, Math.abs(v));
    }
    for (let i = 0; i < shown[l]; i++) {
      const { x, y } = nodes[l][i];
      drawNode(ctx, l, i, x, y, scale, hres, back);
    }
    if (sizes[l] > shown[l]) {
      ctx.fillStyle = "#56606c"; ctx.font = "11px system-ui"; ctx.textAlign = "center";
      ctx.fillText(`+${sizes[l] - shown[l]} more`, colX(l) + NODE / 2, nodeY(l, shown[l] - 1) + NODE + 14);
    }
    ctx.fillStyle = "#56606c"; ctx.font = "11px system-ui"; ctx.textAlign = "center";
    const title = l === 0 ? "inputs" : l === sizes.length - 1 ? `output (${d.output})` : `${d.activations[l - 1]}`;
    ctx.fillText(title, colX(l) + NODE / 2, 16);
  }
  layout = { nodes, lines, W, H };
  if (document.activeElement === canvas) {   // the keyboard's neuron
    const t = focusTarget(), n = nodes[focus.l][focus.i];
    ctx.strokeStyle = "#111"; ctx.lineWidth = 2.5;
    ctx.strokeRect(n.x - 3, n.y - 3, NODE + 6, NODE + 6);
    if (t.weight) {
      const ln = lines.find((q) => q.l === t.weight.l && q.k === t.weight.k && q.j === t.weight.j);
      if (ln) { ctx.setLineDash([4, 3]); ctx.beginPath(); ctx.moveTo(ln.x1, ln.y1); ctx.lineTo(ln.x2, ln.y2); ctx.stroke(); ctx.setLineDash([]); }
    }
  }
}

function number(ctx, v, x, y) {   // a small number in the middle of a square
  ctx.fillStyle = "#1f2933"; ctx.font = "9px system-ui"; ctx.textAlign = "center";
  ctx.fillText(fmt(v, 2), x + NODE / 2, y + NODE / 2 + 3);
}

function drawNode(ctx, l, i, x, y, scale, hres, back) {
  const d = store.data, f = store.frame, L = d.sizes.length - 1;
  ctx.save();
  ctx.beginPath(); ctx.rect(x, y, NODE, NODE); ctx.clip();
  const twoD = d.extent.length === 4, oneD = d.extent.length === 2;
  if (back && l > 0) {
    const delta = back.layers[l - 1].delta;
    let m = 1e-12;
    for (const v of delta) m = Math.max(m, Math.abs(v));
    ctx.fillStyle = `rgb(${diverging(delta[i] / m).join(",")})`;
    ctx.fillRect(x, y, NODE, NODE);
    number(ctx, delta[i], x, y);
  } else if (back && l === 0) {
    ctx.fillStyle = "#f3f4f6"; ctx.fillRect(x, y, NODE, NODE);
    number(ctx, back.x[i], x, y);
  } else if (twoD && l === 0 && f.inputValues) {   // features of x1, x2 (x1², sin x1, ...) over the plane
    const res = f.inputs.res, cells = res * res, vals = f.inputValues;
    let m = 1e-9;
    for (let c = 0; c < cells; c++) m = Math.max(m, Math.abs(vals[i * cells + c]));
    paintGrid(ctx, res, (c) => diverging(vals[i * cells + c] / m), x, y, NODE, NODE);
  } else if (twoD && l === 0) {
    const res = 12;
    paintGrid(ctx, res, (c) => {
      const r = Math.floor(c / res), col = c % res;
      return diverging(i === 0 ? (2 * col) / (res - 1) - 1 : 1 - (2 * r) / (res - 1));
    }, x, y, NODE, NODE);
  } else if (twoD && l > 0 && l < L && f.hiddenValues) {
    const vals = f.hiddenValues[l - 1], cells = hres * hres;
    paintGrid(ctx, hres, (c) => diverging(vals[i * cells + c] / scale), x, y, NODE, NODE);
  } else if (twoD && l === L && f.outputValues) {
    const nOut = d.sizes[L], res = f.output.res;
    const vals = f.outputValues;
    const [lo, hi] = d.target_range;
    paintGrid(ctx, res, (c) => d.task === "classification"
      ? (nOut === 1 ? classColor([1 - vals[c], vals[c]], store.palette) : mix(WHITE, hexToRgb(store.palette[i % store.palette.length]), vals[c * nOut + i]))
      : valueColor(vals[c], lo, hi), x, y, NODE, NODE);
  } else if (oneD && l > 0 && f.hiddenValues && l < L) {
    ctx.fillStyle = "#fff"; ctx.fillRect(x, y, NODE, NODE);
    const vals = f.hiddenValues[l - 1], n = hres;
    ctx.strokeStyle = "#0877bd"; ctx.lineWidth = 1.2; ctx.beginPath();
    for (let c = 0; c < n; c++) {
      const v = vals[i * n + c] / scale;
      const px = x + (c / (n - 1)) * NODE, py = y + NODE / 2 - v * (NODE / 2 - 3);
      if (c === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    }
    ctx.stroke();
  } else {
    ctx.fillStyle = "#f3f4f6"; ctx.fillRect(x, y, NODE, NODE);
  }
  ctx.restore();
  ctx.strokeStyle = "#9aa5b1"; ctx.lineWidth = 1;
  ctx.strokeRect(x + 0.5, y + 0.5, NODE - 1, NODE - 1);
  if (l === 0 && d.features.length <= MAX_SHOWN) {
    ctx.fillStyle = "#1f2933"; ctx.font = "11px system-ui"; ctx.textAlign = "right";
    ctx.fillText(String(d.features[i]).slice(0, 8), x - 4, y + NODE / 2 + 4);
  }
}

/** What is under (mx, my) on the diagram: {neuron: {l, i}} or {weight: {l, k, j}}, or null. */
function targetAt(mx, my) {
  let found = null;
  layout.nodes.forEach((col, l) => col.forEach((n, i) => {
    if (mx >= n.x && mx <= n.x + NODE && my >= n.y && my <= n.y + NODE) found = { neuron: { l, i } };
  }));
  if (found) return found;
  let best = null, bestDist = 5;
  for (const ln of layout.lines) {
    const dx = ln.x2 - ln.x1, dy = ln.y2 - ln.y1;
    const t = Math.max(0, Math.min(1, ((mx - ln.x1) * dx + (my - ln.y1) * dy) / (dx * dx + dy * dy)));
    const dist = Math.hypot(mx - (ln.x1 + t * dx), my - (ln.y1 + t * dy));
    if (dist < bestDist) { bestDist = dist; best = ln; }
  }
  return best ? { weight: { l: best.l, k: best.k, j: best.j } } : null;
}

/** The tooltip's text for a neuron or a weight. */
function textFor(target) {
  const d = store.data, back = backColumns();
  if (target.neuron) {
    const { l, i } = target.neuron;
    if (l === 0) return `input ${d.features[i]}` + (back ? `\nx = ${fmt(back.x[i], 6)}` : "");
    const bias = store.weights[l - 1].b[i];
    let text = `layer ${l}, neuron ${i}${l === d.sizes.length - 1 ? " (output)" : ""}\nbias b = ${fmt(bias, 6)}`;
    if (back) {
      const L = back.layers[l - 1];
      text += `\ns = ${fmt(L.s[i], 6)}\na = f(s) = ${fmt(L.a[i], 6)}` +
        (L.slope ? `\nf'(s) = ${fmt(L.slope[i], 6)}` : "") +
        `\nδ = ${fmt(L.delta[i], 6)}\n∂J/∂b = δ = ${fmt(L.gradBias[i], 6)}`;
    }
    return text;
  }
  const { l, k, j } = target.weight;
  const w = store.weights[l - 1].w[k * d.sizes[l] + j];
  let text = `w[${k}, ${j}]: from neuron ${k} (layer ${l - 1}) to neuron ${j} (layer ${l})\nw = ${fmt(w, 6)}`;
  if (back) {
    const L = back.layers[l - 1];
    text += `\n∂J/∂w = a·δ = ${fmt(L.inputs[k], 4)} × ${fmt(L.delta[j], 4)} = ${fmt(L.gradWeights[k][j], 6)}`;
  }
  return text + "\n(click or Enter: edit this weight)";
}

function showTip(target, x, y) {
  const tip = $("tooltip");
  if (!target) { tip.hidden = true; return; }
  tip.textContent = textFor(target);
  tip.hidden = false;
  tip.style.left = Math.max(0, Math.min(x + 14, layout.W - 260)) + "px";
  tip.style.top = y + 14 + "px";
}

/** Edit weight {l, k, j} in a small field over the diagram; Enter sends it to the server, Escape cancels. */
function editWeight(weight, x, y) {
  const { l, k, j } = weight;
  const old = store.weights[l - 1].w[k * store.data.sizes[l] + j];
  const box = $("weight-editor"), input = $("weight-value");
  $("weight-label").textContent = `w[${k}, ${j}] of layer ${l}`;
  input.value = Number(old.toPrecision(4));
  box.style.left = Math.max(0, Math.min(x, layout.W - 200)) + "px";
  box.style.top = y + "px";
  box.hidden = false;
  input.focus(); input.select();
  input.onkeydown = (ev) => {
    if (ev.key === "Escape") { box.hidden = true; $("diagram").focus(); }
    if (ev.key !== "Enter") return;
    const value = Number(input.value);
    if (input.value.trim() === "" || !Number.isFinite(value)) { input.classList.add("invalid"); return; }
    box.hidden = true;
    $("diagram").focus();
    actions.send({ type: "set_weight", layer: l, row: k, column: j, value });
  };
}

let actions = null;
const focus = { l: 0, i: 0, w: -1 };   // the keyboard's neuron (and, w >= 0, one of its incoming weights)

function focusTarget() {
  const sizes = layout.nodes.map((c) => c.length);
  focus.l = Math.max(0, Math.min(sizes.length - 1, focus.l));
  focus.i = Math.max(0, Math.min(sizes[focus.l] - 1, focus.i));
  if (focus.w >= 0 && focus.l > 0) return { weight: { l: focus.l, k: focus.w % sizes[focus.l - 1], j: focus.i } };
  return { neuron: { l: focus.l, i: focus.i } };
}

/** Wire the diagram: tooltips on hover and on keyboard focus, the hovered neuron's picture on the plane
 * (`acts.redrawPlane()`), and editing a weight (`acts.send(message)`). */
export function bindDiagram(acts) {
  actions = acts;
  const canvas = $("diagram");
  const hover = (neuron) => {
    const L = store.data ? store.data.sizes.length - 1 : 0;
    const next = neuron && neuron.l > 0 && neuron.l < L ? neuron : null;
    if (JSON.stringify(next) !== JSON.stringify(store.hoverNeuron)) { store.hoverNeuron = next; acts.redrawPlane(); }
  };
  canvas.addEventListener("mousemove", (ev) => {
    if (!layout || !store.frame) return;
    const rect = canvas.getBoundingClientRect();
    const mx = ev.clientX - rect.left, my = ev.clientY - rect.top;
    const target = targetAt(mx, my);
    showTip(target, mx, my);
    hover(target && target.neuron);
  });
  canvas.addEventListener("mouseleave", () => { $("tooltip").hidden = true; hover(null); });
  canvas.addEventListener("click", (ev) => {
    if (!layout || !store.frame) return;
    const rect = canvas.getBoundingClientRect();
    const target = targetAt(ev.clientX - rect.left, ev.clientY - rect.top);
    if (target && target.weight) editWeight(target.weight, ev.clientX - rect.left, ev.clientY - rect.top);
  });
  canvas.addEventListener("keydown", (ev) => {
    if (!layout || !store.frame) return;
    const keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (keys[ev.key]) {
      ev.preventDefault();
      focus.l += keys[ev.key][0]; focus.i += keys[ev.key][1]; focus.w = -1;
    } else if (ev.key === "w" || ev.key === "W") {
      const before = focus.l > 0 ? layout.nodes[focus.l - 1].length : 0;
      if (!before) return;
      focus.w = ev.shiftKey ? (focus.w <= 0 ? before - 1 : focus.w - 1) : (focus.w + 1) % before;
    } else if (ev.key === "Enter") {
      const t = focusTarget();
      if (!t.weight) return;
      ev.preventDefault();
      const n = layout.nodes[t.weight.l][t.weight.j];
      editWeight(t.weight, n.x - 80, n.y + NODE + 4);
      return;
    } else if (ev.key === "Escape") { $("tooltip").hidden = true; hover(null); return; } else return;
    const t = focusTarget();
    const n = layout.nodes[focus.l][focus.i];
    showTip(t, n.x + NODE / 2, n.y + NODE / 2);
    hover({ l: focus.l, i: focus.i });
    drawDiagram();
  });
  canvas.addEventListener("focus", () => {
    if (!layout || !store.frame) return;
    const t = focusTarget(), n = layout.nodes[focus.l][focus.i];
    showTip(t, n.x + NODE / 2, n.y + NODE / 2);
  });
  canvas.addEventListener("blur", () => { $("tooltip").hidden = true; hover(null); drawDiagram(); });
}
