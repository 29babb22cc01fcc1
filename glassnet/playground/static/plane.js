// glassnet playground: the output plane. Two inputs: the prediction over the input plane with the points;
// one input: the prediction as a curve over x. A click chooses a point for the backward view (or, for drawn
// data in the forward view, adds a point; shift-click removes the nearest). From the keyboard: the arrow keys
// move a cursor, Enter chooses the point nearest to it (or adds a drawn point; Shift+Enter removes one).
// Each class has a colour and a shape; hovering a neuron in the diagram paints its picture here, large.
import { $, classColor, classProbs, diverging, paintGrid, setupCanvas, shapePath, SHAPES, valueColor } from "./util.js";
import { store } from "./state.js";
import { changed } from "./controls.js";

const MAX = 360;
let size = MAX;                  // the plane's side in CSS pixels (smaller on a narrow screen)
const cursor = { x: 0, y: 0, on: false };   // the keyboard's cursor, in input units

function ring(ctx, x, y, color = "#111") {   // the chosen point (or the keyboard's cursor)
  ctx.beginPath(); ctx.arc(x, y, 8, 0, 2 * Math.PI);
  ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.stroke();
}
function chosen() {
  return store.selected && store.view === "backward" ? store.selected : null;
}
function parts() {
  return store.showTest === false ? ["train"] : ["train", "test"];
}

/** The value painted at grid cell i: the output (or a hovered neuron's activation), as a colour. */
function painter(d, f) {
  const h = store.hoverNeuron;
  const L = d.sizes.length - 1;
  if (h && h.l > 0 && h.l < L && f.hiddenValues) {
    const vals = f.hiddenValues[h.l - 1], cells = f.hidden.res * f.hidden.res;
    let m = 1e-9;
    for (let c = 0; c < cells; c++) m = Math.max(m, Math.abs(vals[h.i * cells + c]));
    return { res: f.hidden.res, at: (c) => diverging(vals[h.i * cells + c] / m) };
  }
  const nOut = d.sizes[L], vals = f.outputValues;
  const [lo, hi] = d.target_range;
  const discrete = store.discretize && d.task === "classification";
  return {
    res: f.output.res,
    at: (i) => {
      if (d.task !== "classification") return valueColor(vals[i], lo, hi);
      const p = classProbs(vals, i, nOut);
      if (!discrete) return classColor(p, store.palette);
      const k = p.indexOf(Math.max(...p));
      return classColor(p.map((_, j) => (j === k ? 1 : 0)), store.palette);
    },
  };
}

export function drawPlane() {
  const canvas = $("plane");
  size = Math.max(200, Math.min(MAX, canvas.parentElement.clientWidth || MAX));
  const ctx = setupCanvas(canvas, size, size);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, size, size);
  const d = store.data, f = store.frame;
  if (!d || !f) return;
  if (d.extent.length === 0) {
    ctx.fillStyle = "#56606c";
    ctx.font = "13px system-ui";
    ctx.fillText(`${d.features.length} inputs: no plane to draw.`, 20, size / 2 - 8);
    ctx.fillText("The diagram and the cost curves still work.", 20, size / 2 + 12);
    return;
  }
  if (d.extent.length === 2) return drawCurve(ctx, d, f);
  const [x0, x1, y0, y1] = d.extent;
  const paint = painter(d, f);
  paintGrid(ctx, paint.res, paint.at, 0, 0, size, size);
  const px = (x) => ((x - x0) / (x1 - x0)) * size, py = (y) => size - ((y - y0) / (y1 - y0)) * size;
  ctx.strokeStyle = "rgba(0,0,0,0.12)";
  ctx.beginPath(); ctx.moveTo(px(0), 0); ctx.lineTo(px(0), size); ctx.moveTo(0, py(0)); ctx.lineTo(size, py(0)); ctx.stroke();
  const [lo, hi] = d.target_range;
  const color = (y) => d.task === "classification" ? store.palette[y % store.palette.length]
    : `rgb(${valueColor(y, lo, hi).join(",")})`;
  for (const part of parts()) {
    const P = d[part];
    for (let i = 0; i < P.y.length; i++) {
      const [a, b] = P.X[i];
      const shape = d.task === "classification" ? SHAPES[P.y[i] % SHAPES.length] : "circle";
      shapePath(ctx, shape, px(a), py(b), part === "train" ? 3.8 : 3.4);
      if (part === "train") {
        ctx.fillStyle = color(P.y[i]); ctx.fill();
        ctx.strokeStyle = d.task === "classification" ? "#fff" : "#1f2933"; ctx.lineWidth = 1; ctx.stroke();
      } else {
        ctx.fillStyle = "#fff"; ctx.fill();
        ctx.strokeStyle = color(P.y[i]); ctx.lineWidth = 2; ctx.stroke();
      }
    }
  }
  const sel = chosen();
  if (sel) {
    const q = d[sel.part].X[sel.index];
    if (q) ring(ctx, px(q[0]), py(q[1]));
  }
  if (cursor.on) {
    ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5;
    const cx = px(cursor.x), cy = py(cursor.y);
    ctx.beginPath(); ctx.moveTo(cx - 10, cy); ctx.lineTo(cx + 10, cy); ctx.moveTo(cx, cy - 10); ctx.lineTo(cx, cy + 10); ctx.stroke();
  }
}

function drawCurve(ctx, d, f) {   // one input: the prediction as a curve over x, the points as (x, y)
  const [x0, x1] = d.extent;
  let [lo, hi] = d.target_range;
  const pad = 0.15 * (hi - lo || 1); lo -= pad; hi += pad;
  const px = (x) => 20 + ((x - x0) / (x1 - x0)) * (size - 30);
  const py = (y) => size - 20 - ((y - lo) / (hi - lo)) * (size - 40);
  ctx.strokeStyle = "#e1e5ea"; ctx.lineWidth = 1;
  ctx.beginPath(); ctx.moveTo(px(x0), py(0)); ctx.lineTo(px(x1), py(0)); ctx.stroke();
  for (const part of parts()) {
    const P = d[part];
    for (let i = 0; i < P.y.length; i++) {
      ctx.beginPath(); ctx.arc(px(P.X[i][0]), py(P.y[i]), 3, 0, 2 * Math.PI);
      if (part === "train") { ctx.fillStyle = "#0877bd"; ctx.fill(); }
      else { ctx.strokeStyle = "#0877bd"; ctx.lineWidth = 1.5; ctx.stroke(); }
    }
  }
  const vals = f.outputValues, res = f.output.res;
  ctx.strokeStyle = "#c2410c"; ctx.lineWidth = 2.5; ctx.beginPath();
  for (let i = 0; i < res; i++) {
    const x = x0 + ((x1 - x0) * i) / (res - 1);
    const y = Math.max(lo, Math.min(hi, vals[i]));
    if (i === 0) ctx.moveTo(px(x), py(y)); else ctx.lineTo(px(x), py(y));
  }
  ctx.stroke();
  const sel = chosen();
  if (sel) {
    const P = d[sel.part], i = sel.index;
    if (P.X[i]) ring(ctx, px(P.X[i][0]), py(P.y[i]));
  }
  if (cursor.on) {
    ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(px(cursor.x), 10); ctx.lineTo(px(cursor.x), size - 10); ctx.stroke();
  }
}

function nearestPoint(dist) {
  let best = null, bd = Infinity;
  for (const part of parts()) {
    store.data[part].X.forEach((p, index) => {
      const dd = dist(p);
      if (dd < bd) { bd = dd; best = { part, index }; }
    });
  }
  return best;
}

/** Act at input position (x, y) (y ignored with one input): add or remove a drawn point, or choose the
 * nearest point for the backward view. */
function actAt(actions, x, y, remove) {
  const d = store.data;
  if (d.extent.length === 4 && store.config.dataset === "draw" && store.view === "forward") {
    const pts = store.config.points;
    if (remove) {
      let best = -1, bd = Infinity;
      pts.forEach((p, i) => { const dd = Math.hypot(p[0] - x, p[1] - y); if (dd < bd) { bd = dd; best = i; } });
      if (best >= 0) pts.splice(best, 1);
    } else if (Math.abs(x) <= 1.5 && Math.abs(y) <= 1.5) {
      pts.push([Number(x.toFixed(3)), Number(y.toFixed(3)), Number($("draw-class").value)]);
    }
    changed();
    return;
  }
  const near = d.extent.length === 4 ? nearestPoint((p) => Math.hypot(p[0] - x, p[1] - y))
    : nearestPoint((p) => Math.abs(p[0] - x));
  if (!near) return;
  if (store.view !== "backward") actions.setView("backward");
  actions.selectPoint(near.part, near.index, true);
}

/** Wire clicks and keys on the plane. `actions.setView(view)` and `actions.selectPoint(part, index)` come
 * from app.js. */
export function bindPlane(actions) {
  const plane = $("plane");
  plane.addEventListener("click", (ev) => {
    const d = store.data;
    if (!d || d.extent.length === 0) return;
    const rect = plane.getBoundingClientRect();
    const mx = ((ev.clientX - rect.left) / rect.width) * size, my = ((ev.clientY - rect.top) / rect.height) * size;
    if (d.extent.length === 4) {
      const [x0, x1, y0, y1] = d.extent;
      actAt(actions, x0 + (mx / size) * (x1 - x0), y1 - (my / size) * (y1 - y0), ev.shiftKey);
    } else {
      const [x0, x1] = d.extent;
      actAt(actions, x0 + ((mx - 20) / (size - 30)) * (x1 - x0), 0, ev.shiftKey);
    }
  });
  plane.addEventListener("keydown", (ev) => {
    const d = store.data;
    if (!d || d.extent.length === 0) return;
    const [x0, x1, y0 = 0, y1 = 0] = d.extent;
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    if (moves[ev.key]) {
      ev.preventDefault();
      cursor.on = true;
      const [dx, dy] = moves[ev.key];
      cursor.x = Math.max(x0, Math.min(x1, cursor.x + (dx * (x1 - x0)) / 20));
      cursor.y = Math.max(y0, Math.min(y1, cursor.y + (dy * (y1 - y0)) / 20));
      $("plane-cursor").textContent = `cursor at x1 = ${cursor.x.toFixed(2)}` +
        (d.extent.length === 4 ? `, x2 = ${cursor.y.toFixed(2)}` : "") + "; Enter chooses the nearest point";
      drawPlane();
    } else if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      cursor.on = true;
      actAt(actions, cursor.x, cursor.y, ev.shiftKey);
    }
  });
  plane.addEventListener("blur", () => { cursor.on = false; drawPlane(); });
}
