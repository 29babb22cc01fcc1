// glassnet playground: the output plane. Two inputs: the prediction over the input plane with the points;
// one input: the prediction as a curve over x. A click chooses a point for the backward view (or, for drawn
// data in the forward view, adds a point; shift-click removes the nearest).
import { $, CLASS_COLORS, classColor, classProbs, paintGrid, setupCanvas, valueColor } from "./util.js";
import { store } from "./state.js";
import { changed } from "./controls.js";

const PLANE = 360;

function ring(ctx, x, y) {   // the chosen point
  ctx.beginPath(); ctx.arc(x, y, 8, 0, 2 * Math.PI);
  ctx.strokeStyle = "#111"; ctx.lineWidth = 2; ctx.stroke();
}
function chosen() {
  return store.selected && store.view === "backward" ? store.selected : null;
}

export function drawPlane() {
  const ctx = setupCanvas($("plane"), PLANE, PLANE);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, PLANE, PLANE);
  const d = store.data, f = store.frame;
  if (!d || !f) return;
  if (d.extent.length === 0) {
    ctx.fillStyle = "#6b7785";
    ctx.font = "13px system-ui";
    ctx.fillText(`${d.features.length} inputs: no plane to draw.`, 20, PLANE / 2 - 8);
    ctx.fillText("The diagram and the cost curves still work.", 20, PLANE / 2 + 12);
    return;
  }
  if (d.extent.length === 2) return drawCurve(ctx, d, f);
  const [x0, x1, y0, y1] = d.extent;
  const nOut = d.sizes[d.sizes.length - 1];
  const vals = f.outputValues, res = f.output.res;
  const [lo, hi] = d.target_range;
  paintGrid(ctx, res, (i) => d.task === "classification"
    ? classColor(classProbs(vals, i, nOut)) : valueColor(vals[i], lo, hi), 0, 0, PLANE, PLANE);
  // axes through 0
  const px = (x) => ((x - x0) / (x1 - x0)) * PLANE, py = (y) => PLANE - ((y - y0) / (y1 - y0)) * PLANE;
  ctx.strokeStyle = "rgba(0,0,0,0.12)";
  ctx.beginPath(); ctx.moveTo(px(0), 0); ctx.lineTo(px(0), PLANE); ctx.moveTo(0, py(0)); ctx.lineTo(PLANE, py(0)); ctx.stroke();
  const pointColor = (y) => d.task === "classification" ? CLASS_COLORS[y % CLASS_COLORS.length]
    : `rgb(${valueColor(y, lo, hi).join(",")})`;
  for (const part of ["train", "test"]) {
    const P = d[part];
    for (let i = 0; i < P.y.length; i++) {
      const [a, b] = P.X[i];
      ctx.beginPath();
      ctx.arc(px(a), py(b), part === "train" ? 3.6 : 3.4, 0, 2 * Math.PI);
      if (part === "train") {
        ctx.fillStyle = pointColor(P.y[i]); ctx.fill();
        ctx.strokeStyle = "#fff"; ctx.lineWidth = 1; ctx.stroke();
      } else {
        ctx.fillStyle = "#fff"; ctx.fill();
        ctx.strokeStyle = pointColor(P.y[i]); ctx.lineWidth = 2; ctx.stroke();
      }
    }
  }
  const sel = chosen();
  if (sel) {
    const q = d[sel.part].X[sel.index];
    if (q) ring(ctx, px(q[0]), py(q[1]));
  }
}

function drawCurve(ctx, d, f) {   // one input: the prediction as a curve over x, the points as (x, y)
  const [x0, x1] = d.extent;
  let [lo, hi] = d.target_range;
  const pad = 0.15 * (hi - lo || 1); lo -= pad; hi += pad;
  const px = (x) => 20 + ((x - x0) / (x1 - x0)) * (PLANE - 30);
  const py = (y) => PLANE - 20 - ((y - lo) / (hi - lo)) * (PLANE - 40);
  ctx.strokeStyle = "#e1e5ea"; ctx.lineWidth = 1;
  ctx.beginPath(); ctx.moveTo(px(x0), py(0)); ctx.lineTo(px(x1), py(0)); ctx.stroke();
  for (const part of ["train", "test"]) {
    const P = d[part];
    for (let i = 0; i < P.y.length; i++) {
      ctx.beginPath(); ctx.arc(px(P.X[i][0]), py(P.y[i]), 3, 0, 2 * Math.PI);
      if (part === "train") { ctx.fillStyle = "#0877bd"; ctx.fill(); }
      else { ctx.strokeStyle = "#0877bd"; ctx.lineWidth = 1.5; ctx.stroke(); }
    }
  }
  const vals = f.outputValues, res = f.output.res;
  ctx.strokeStyle = "#e8590c"; ctx.lineWidth = 2.5; ctx.beginPath();
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
}

function nearestPoint(dist) {
  let best = null, bd = Infinity;
  for (const part of ["train", "test"]) {
    store.data[part].X.forEach((p, index) => {
      const dd = dist(p);
      if (dd < bd) { bd = dd; best = { part, index }; }
    });
  }
  return best;
}

/** Wire clicks on the plane. `actions.setView(view)` and `actions.selectPoint(part, index)` come from app.js. */
export function bindPlane(actions) {
  const choose = (near) => {
    if (!near) return;
    if (store.view !== "backward") actions.setView("backward");
    actions.selectPoint(near.part, near.index);
  };
  $("plane").addEventListener("click", (ev) => {
    const d = store.data;
    if (!d || d.extent.length === 0) return;
    const rect = $("plane").getBoundingClientRect();
    const mx = ((ev.clientX - rect.left) / rect.width) * PLANE, my = ((ev.clientY - rect.top) / rect.height) * PLANE;
    if (d.extent.length === 4) {
      const [x0, x1, y0, y1] = d.extent;
      const x = x0 + (mx / PLANE) * (x1 - x0), y = y1 - (my / PLANE) * (y1 - y0);
      if (store.config.dataset === "draw" && store.view === "forward") {
        const pts = store.config.points;
        if (ev.shiftKey) {
          let best = -1, bd = Infinity;
          pts.forEach((p, i) => { const dd = Math.hypot(p[0] - x, p[1] - y); if (dd < bd) { bd = dd; best = i; } });
          if (best >= 0) pts.splice(best, 1);
        } else if (Math.abs(x) <= 1.5 && Math.abs(y) <= 1.5) {
          pts.push([Number(x.toFixed(3)), Number(y.toFixed(3)), Number($("draw-class").value)]);
        }
        changed();
        return;
      }
      choose(nearestPoint((p) => Math.hypot(p[0] - x, p[1] - y)));
    } else {
      const [x0, x1] = d.extent;
      const x = x0 + ((mx - 20) / (PLANE - 30)) * (x1 - x0);
      choose(nearestPoint((p) => Math.abs(p[0] - x)));
    }
  });
}
