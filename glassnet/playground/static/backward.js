// glassnet playground: the backward view's tables. For the chosen example they show, layer by layer from the
// output down, every neuron's s, a, f'(s), delta (BP1 at the output, BP2 below), dJ/db (BP3) and its bias
// after one step, and the matrix dJ/dw (BP4). Every number comes from the trace record (Trace.to_dict())
// in the backward message; the data attributes hold each number in full for whoever reads the page.
import { $, el, fmt } from "./util.js";
import { store } from "./state.js";
import { layerColumns, targetLabel } from "./record.js";

const SHOW = 8;  // rows and columns shown per table; the data attributes always hold every number

function numCell(v, tag = "td") {
  const c = el(tag, { "data-value": String(v) }, fmt(v));
  if (tag === "td") c.className = v > 0 ? "pos" : v < 0 ? "neg" : "";
  return c;
}
function plainCell(v) {
  const c = numCell(v);
  c.className = "";
  return c;
}
function elidedRow(text, colspan) {
  const tr = el("tr");
  tr.append(el("td", { class: "elided", colspan }, text));
  return tr;
}

/** The example line: which point, its inputs and target, and its cost. */
function renderPoint(back, trace, d) {
  const box = $("bp-point");
  box.innerHTML = "";
  const label = targetLabel(trace, d.task);
  const target = d.task === "classification" ? `class ${label} (${d.class_names[label] ?? label})` : fmt(label, 6);
  const x = trace.inputs[0];
  box.dataset.part = back.part;
  box.dataset.index = back.index;
  box.dataset.x = JSON.stringify(x);
  box.dataset.y = JSON.stringify(trace.targets[0]);
  box.append(
    el("b", {}, `${back.part === "train" ? "Training" : "Test"} point #${back.index}`),
    document.createTextNode(`: x = (${x.map((v) => fmt(v)).join(", ")}), target ${target}. `),
    document.createTextNode(`Cost of this example J = ${fmt(trace.cost, 6)} (${trace.network.cost}).`),
  );
}

function neuronTable(L) {
  const t = el("table", { class: "num neurons", tabindex: 0 });
  t.append(el("caption", {}, "neurons"));
  const head = el("tr");
  for (const h of ["j", "s", "a", "f′(s)", "δ", "∂J/∂b", "b − η∂J/∂b"]) head.append(el("th", {}, h));
  t.append(head);
  const shown = Math.min(L.delta.length, SHOW * 2);
  for (let j = 0; j < shown; j++) {
    const tr = el("tr");
    tr.append(el("th", {}, `${j}`), numCell(L.s[j]), numCell(L.a[j]),
      L.slope ? numCell(L.slope[j]) : el("td", { class: "elided" }, "fused"),
      numCell(L.delta[j]), numCell(L.gradBias[j]), plainCell(L.newBias[j]));
    t.append(tr);
  }
  const more = L.delta.length - shown + L.neuronsOmitted;
  if (more > 0) t.append(elidedRow(`… ${more} more`, 7));
  return t;
}

function gradientTable(L) {
  const t = el("table", { class: "num grads", tabindex: 0 });
  t.append(el("caption", {}, "∂J/∂w[k, j]: row k, neuron k below (output a_k); column j, neuron j here"));
  const nIn = L.gradWeights.length, nOut = L.delta.length;
  const cols = Math.min(nOut, SHOW);
  const hr = el("tr");
  hr.append(el("th", {}, "k \\ j"), el("th", {}, "a_k"));
  for (let j = 0; j < cols; j++) hr.append(el("th", {}, `${j}`));
  if (nOut + L.neuronsOmitted > SHOW) hr.append(el("th", { class: "elided" }, "…"));
  t.append(hr);
  for (let r = 0; r < Math.min(nIn, SHOW); r++) {
    const k = L.from[r];
    const tr = el("tr");
    tr.append(el("th", {}, `${k}`), plainCell(L.inputs[k]));
    for (let j = 0; j < cols; j++) {
      const c = numCell(L.gradWeights[r][j]);
      c.title = `w = ${L.weights[r][j]}\n∂J/∂w = a_k·δ_j = ${L.inputs[k]} × ${L.delta[j]}\n` +
        `after one step: ${L.newWeights[r][j]}`;
      tr.append(c);
    }
    if (nOut + L.neuronsOmitted > SHOW) tr.append(el("td", { class: "elided" }, "…"));
    t.append(tr);
  }
  const more = nIn - Math.min(nIn, SHOW) + L.weightsOmitted;
  if (more > 0) t.append(elidedRow(`… ${more} more rows`, 2 + cols));
  return t;
}

/** Draw the tables for store.backward (or empty them when no point is chosen). */
export function renderBackward() {
  const panel = $("bp-layers");
  panel.innerHTML = "";
  $("bp-point").innerHTML = "";
  const back = store.backward, d = store.data;
  if (!back || !d) return;
  const trace = back.trace;
  renderPoint(back, trace, d);
  const out = trace.layers[trace.layers.length - 1];
  $("bp1-note").textContent = out.fused
    ? `(fused with ${trace.network.cost}: δᴸ = aᴸ − y)` : "(mse: ∂J/∂a = 2(a − y)/n_outputs)";
  for (const layer of [...trace.layers].reverse()) {
    const L = layerColumns(layer);
    const sec = el("section", {
      class: "bp-layer", "data-layer": L.number,
      "data-delta": JSON.stringify(L.delta),
      "data-grad-weights": JSON.stringify(L.gradWeights),
      "data-grad-bias": JSON.stringify(L.gradBias),
      "data-new-weights": JSON.stringify(L.newWeights),
      "data-new-bias": JSON.stringify(L.newBias),
    });
    const eq = L.output ? "BP1" : "BP2";
    sec.append(el("h3", {}, `Layer ${L.number}${L.output ? " (output)" : ""}: ${L.activation}, ` +
      `δ by ${eq}, ∂J/∂b by BP3, ∂J/∂W by BP4`));
    const tables = el("div", { class: "tables" });
    tables.append(neuronTable(L), gradientTable(L));
    sec.append(tables);
    panel.append(sec);
  }
}
