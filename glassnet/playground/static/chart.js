// glassnet playground: the cost curves, training and test cost against the epoch (from store.history), on a
// linear or a log scale. The axis labels get the room they need (the left margin grows with the widest).
import { $, fmt, setupCanvas } from "./util.js";
import { store } from "./state.js";

export let chartLayout = null;   // where the last drawing put its labels (for whoever checks the page)

function ticks(lo, hi, log) {
  if (!log) return [0, hi / 2, hi];
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out.length > 6 ? out.filter((_, i) => i % Math.ceil(out.length / 6) === 0) : out;
}

export function drawChart() {
  const canvas = $("chart");
  const W = Math.max(220, Math.min(360, canvas.parentElement.clientWidth || 360)), H = 170;
  const ctx = setupCanvas(canvas, W, H);
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
  const h = store.history, log = store.logScale;
  const right = 10, top = 10, bottom = 30;
  ctx.font = "11px system-ui";
  if (h.length === 0) { chartLayout = null; return; }
  const xmax = Math.max(h[h.length - 1].x, 1);
  let ymax = 0, ymin = Infinity;
  for (const p of h) for (const v of [p.train, p.test]) { ymax = Math.max(ymax, v); if (v > 0) ymin = Math.min(ymin, v); }
  if (log) {
    if (!Number.isFinite(ymin)) ymin = 1e-6;
    ymin = 10 ** Math.floor(Math.log10(ymin)); ymax = 10 ** Math.ceil(Math.log10(Math.max(ymax, ymin * 10)));
  } else {
    ymin = 0; ymax = ymax > 0 ? ymax * 1.05 : 1;
  }
  const yTicks = ticks(ymin, ymax, log);
  const labels = yTicks.map((y) => fmt(y, 2));
  const left = 8 + Math.ceil(Math.max(...labels.map((t) => ctx.measureText(t).width))) + 6;
  const toY = (y) => log ? (Math.log10(Math.max(y, ymin)) - Math.log10(ymin)) / (Math.log10(ymax) - Math.log10(ymin))
    : y / ymax;
  const px = (x) => left + (x / xmax) * (W - left - right);
  const py = (y) => top + (1 - toY(y)) * (H - top - bottom);
  ctx.strokeStyle = "#e1e5ea"; ctx.lineWidth = 1;
  ctx.strokeRect(left, top, W - left - right, H - top - bottom);
  ctx.fillStyle = "#56606c";
  ctx.textAlign = "right";
  const placed = yTicks.map((y, i) => {
    ctx.fillText(labels[i], left - 4, py(y) + 4);
    return { text: labels[i], right: left - 4, width: ctx.measureText(labels[i]).width };
  });
  ctx.textAlign = "left";
  ctx.fillText("0", left, H - 16);
  ctx.textAlign = "right";
  ctx.fillText(fmt(xmax, 3), W - right, H - 16);
  ctx.textAlign = "center";
  ctx.fillText(`epoch${log ? " · cost on a log scale" : ""}`, left + (W - left - right) / 2, H - 4);
  for (const [key, color, dash] of [["train", "#1f2933", []], ["test", "#c2410c", [5, 3]]]) {
    ctx.strokeStyle = color; ctx.lineWidth = 1.8; ctx.setLineDash(dash); ctx.beginPath();
    h.forEach((p, i) => (i === 0 ? ctx.moveTo(px(p.x), py(p[key])) : ctx.lineTo(px(p.x), py(p[key]))));
    if (h.length === 1) { ctx.arc(px(h[0].x), py(h[0][key]), 2, 0, 2 * Math.PI); }
    ctx.stroke();
  }
  ctx.setLineDash([]);
  chartLayout = { width: W, left, log, labels: placed };
  canvas.dataset.ticks = JSON.stringify(placed.map((t) => t.text));
}
