// glassnet playground: the cost curves, training and test cost against the epoch (from store.history).
import { $, fmt, setupCanvas } from "./util.js";
import { store } from "./state.js";

export function drawChart() {
  const W = 360, H = 170;
  const ctx = setupCanvas($("chart"), W, H);
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
  const h = store.history;
  const left = 44, right = 10, top = 10, bottom = 24;
  ctx.strokeStyle = "#e1e5ea"; ctx.lineWidth = 1;
  ctx.strokeRect(left, top, W - left - right, H - top - bottom);
  if (h.length === 0) return;
  const xmax = Math.max(h[h.length - 1].x, 1);
  let ymax = 0;
  for (const p of h) ymax = Math.max(ymax, p.train, p.test);
  ymax = ymax > 0 ? ymax * 1.05 : 1;
  const px = (x) => left + (x / xmax) * (W - left - right);
  const py = (y) => top + (1 - y / ymax) * (H - top - bottom);
  ctx.fillStyle = "#6b7785"; ctx.font = "11px system-ui";
  ctx.textAlign = "right";
  for (const y of [0, ymax / 2, ymax]) ctx.fillText(fmt(y, 2), left - 4, py(y) + 4);
  ctx.textAlign = "center";
  ctx.fillText(`epoch ${fmt(xmax, 3)}`, W - 40, H - 8);
  ctx.fillText("0", left, H - 8);
  for (const [key, color] of [["train", "#1f2933"], ["test", "#e8590c"]]) {
    ctx.strokeStyle = color; ctx.lineWidth = 1.8; ctx.beginPath();
    h.forEach((p, i) => (i === 0 ? ctx.moveTo(px(p.x), py(p[key])) : ctx.lineTo(px(p.x), py(p[key]))));
    if (h.length === 1) { ctx.arc(px(h[0].x), py(h[0][key]), 2, 0, 2 * Math.PI); }
    ctx.stroke();
  }
}
