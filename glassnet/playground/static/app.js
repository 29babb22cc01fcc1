// glassnet playground: the page. It holds no neural-network maths: every number it draws comes from the
// server, which runs glassnet's engine in Python. The page keeps the settings, talks to the server over a
// WebSocket, and paints what it receives. This module wires the others together:
//   state.js     the store (what the page holds)         socket.js   the WebSocket
//   controls.js  settings, transport, upload             hash.js     settings <-> URL hash
//   plane.js     the output plane (and choosing a point)  chart.js    the cost curves
//   diagram.js   the network diagram and its tooltip      errors.js   banner, field errors, notices
//   backward.js  the backward view's tables               stepper.js  the step-through of one example
//   record.js    reading the trace record (Trace.to_dict) util.js     DOM, number and colour helpers
//   hints.js     the server's hints about the run         classroom.js  links that hide parts of the page
//   lessons.js   the guided lessons (lessons.json)
import { $, VALUE_GRADIENT, classPalette, decode, el, fmt, SHAPES, shapeSvg } from "./util.js";
import { store } from "./state.js";
import { conn } from "./socket.js";
import { clearErrors, showError } from "./errors.js";
import { configToHash, hashToConfig, hashToHidden } from "./hash.js";
import { applyHidden, bindClassroom } from "./classroom.js";
import { bindControls, sendConfig, setPlaying, syncControls } from "./controls.js";
import { bindPlane, drawPlane } from "./plane.js";
import { drawChart } from "./chart.js";
import { bindDiagram, drawDiagram } from "./diagram.js";
import { renderBackward } from "./backward.js";
import { renderTrace } from "./stepper.js";
import { renderHints } from "./hints.js";
import { bindLessons, lessonRace, lessonRefused, lessonTick, raceDone } from "./lessons.js";

function drawAll() {
  drawPlane();
  drawChart();
  drawDiagram();
}

function setView(view) {
  store.view = view;
  for (const v of ["forward", "backward"]) {   // the tabs: the chosen one selected, and the one Tab reaches
    const tab = $(`view-${v}`);
    tab.classList.toggle("active", view === v);
    tab.setAttribute("aria-selected", String(view === v));
    tab.tabIndex = view === v ? 0 : -1;
  }
  $("backward-panel").hidden = view !== "backward";
  $("legend-text").textContent = view === "forward"
    ? "line width: |weight|; each hidden square: that neuron's activation over the input plane"
    : "line width: |∂J/∂w| for the chosen point; squares: each neuron's δ (its share of the blame)";
  if (view === "backward" && !store.selected && store.data) selectPoint("train", 0);
  if (view === "forward" && store.selected) {
    store.selected = null;
    conn.send({ type: "backward", index: null });
  }
  drawAll();
}

/** Choose a point for the backward view; `reveal`: a person chose it, so scroll the backward view into sight. */
function selectPoint(part, index, reveal = false) {
  store.selected = { part, index };
  store.traceStage = 0;
  store.reveal = reveal;
  conn.send({ type: "backward", part, index });
}

/** Say the run's state to a screen reader: at once when asked, else at most every 5 seconds while playing. */
let lastAnnounced = 0;
function announce(f, now = false) {
  const t = performance.now();
  if (!now && t - lastAnnounced < 5000) return;
  lastAnnounced = t;
  $("announce").textContent = `epoch ${f.epoch}, training cost ${fmt(f.train_cost)}, test cost ${fmt(f.test_cost)}` +
    (f.test_accuracy === null ? "" : `, test accuracy ${(100 * f.test_accuracy).toFixed(1)}%`);
}

/** The plane's legend: each class's shape, colour and name; for numbers, the colour scale. */
function renderLegend(m) {
  const box = $("plane-legend");
  box.innerHTML = "";
  if (m.extent.length === 0) {
    box.textContent = `${m.features.length} inputs: no input plane to draw (the pictures need 1 or 2 inputs)`;
    return;
  }
  const list = el("ul", { class: "classes", "aria-label": "legend" });
  if (m.task === "classification") {
    m.class_names.forEach((name, k) => {
      const item = el("li", { "data-class": k, "data-shape": SHAPES[k % SHAPES.length], "data-color": store.palette[k] });
      item.append(shapeSvg(SHAPES[k % SHAPES.length], store.palette[k]), document.createTextNode(` ${name}`));
      list.append(item);
    });
  } else if (m.extent.length === 4) {
    const [lo, hi] = m.target_range;
    const item = el("li", { class: "scale" });
    item.append(el("span", {}, fmt(lo, 3)), el("span", { class: "bar", style: `background: ${VALUE_GRADIENT}` }),
      el("span", {}, `${fmt(hi, 3)} (the target)`));
    list.append(item);
  }
  box.append(list, el("p", {}, "filled: training points · hollow: test points" +
    (m.task === "classification" ? " · background: the predicted class (paler: less sure)" : "")));
}

function stepTrace(by) {
  store.traceStage = Math.max(0, store.traceStage + by);
  renderTrace();
  lessonTick();
}

// -- messages from the server
function onData(m) {
  // New data answers a settings change sent earlier; it must not wipe a complaint about a file the
  // person chose since (a late answer used to erase the "too large" message as it appeared).
  if ($("error").dataset.field !== "upload") clearErrors();
  store.data = m;
  store.palette = classPalette(m.class_names && m.class_names.length ? m.class_names : ["0", "1"]);
  store.hoverNeuron = null;
  store.history = [];
  store.backward = null;
  store.selected = null;
  $("accuracy-box").hidden = m.task !== "classification";
  const desc = m.task === "classification"
    ? `${m.name}: ${m.train.y.length} training and ${m.test.y.length} test points, ${m.n_classes} classes`
    : `${m.name}: ${m.train.y.length} training and ${m.test.y.length} test points, a number to predict`;
  $("data-description").textContent = desc + `. Network ${m.sizes.join("–")} (${m.n_params} weights and biases), ` +
    `output ${m.output}.`;
  renderLegend(m);
  $("plane").setAttribute("aria-label", m.extent.length === 4
    ? `The output over the input plane: ${m.train.y.length} training and ${m.test.y.length} test points`
    : m.extent.length === 2 ? "The prediction as a curve over the input, with the points" : "No input plane");
  if (store.view === "backward") selectPoint("train", 0);
}

function onFrame(f) {
  if (!store.data) return;
  store.frame = f;
  store.weights = f.weights.map((l) => ({ w: decode(l.w), b: decode(l.b) }));
  if (f.output) f.outputValues = decode(f.output.values);
  f.inputValues = f.inputs ? decode(f.inputs.values) : null;
  if (f.hidden) f.hiddenValues = f.hidden.layers.map(decode);
  const h = store.history, last = h[h.length - 1];
  if (!last || f.progress > last.x) h.push({ x: f.progress, train: f.train_cost, test: f.test_cost });
  else if (f.progress < last.x) store.history = [{ x: f.progress, train: f.train_cost, test: f.test_cost }];
  if (store.history.length > 3000) store.history = store.history.filter((_, i) => i % 2 === 0);
  $("epoch").textContent = f.epoch;
  $("epoch").dataset.value = f.progress;
  $("train-cost").textContent = fmt(f.train_cost);
  $("train-cost").dataset.value = f.train_cost;
  $("test-cost").textContent = fmt(f.test_cost);
  $("test-cost").dataset.value = f.test_cost;
  $("test-accuracy").textContent = f.test_accuracy === null ? "–" : (100 * f.test_accuracy).toFixed(1) + "%";
  if (f.playing !== undefined) setPlaying(f.playing);
  announce(f, !f.playing);
  renderHints(f.hints, f.steps);
  if (f.backward) onBackward(f.backward, true);
  drawAll();
}

/** A backward message: the chosen example's trace record (`trace`, from Trace.to_dict()), or none. */
function onBackward(b, fromFrame = false) {
  if (b.index === null) { store.backward = null; renderBackward(); renderTrace(); return; }
  if (store.selected && (b.part !== store.selected.part || b.index !== store.selected.index)) return;
  store.backward = b;
  renderBackward();
  renderTrace();
  if (store.reveal) {   // the point was chosen on the plane: bring the backward view into sight
    store.reveal = false;
    $("backward-panel").scrollIntoView({ block: "nearest" });
  }
  if (!fromFrame) drawAll();
}

/** The server refused something. Its answer carries the settings still in force: the controls and the share
 * link go back to them, so the page never shows a refused value while the old network trains. A diverging
 * run has stopped (the last finite frame stays up) and the banner offers Reset. */
function onError(m) {
  if (m.config && !["point", "message", "speed"].includes(m.field)) {   // (those refuse no setting)
    store.config = JSON.parse(JSON.stringify(m.config));
    syncControls();
    history.replaceState(null, "", configToHash(store.config));
  }
  if (m.diverged) {
    setPlaying(false);
    showError(m.field, m.message, { label: "⟲ Reset", run: () => $("reset").click() });
  } else {
    showError(m.field, m.message);
  }
}

function onMessage(m) {
  switch (m.type) {
    case "hello": sendConfig(true); break;
    case "data": onData(m); break;
    case "frame": onFrame(m); break;
    case "state": setPlaying(m.playing); break;
    case "backward": onBackward(m); break;
    case "error": onError(m); lessonRefused(m.field); raceDone(); break;
    case "race": raceDone(); lessonRace(m); break;
    case "fatal": conn.fatal = true; showError("", m.message); break;
    default: break;
  }
  lessonTick();
}

// -- start
async function start() {
  const info = await (await fetch("/api/limits")).json();
  store.limits = info.limits;
  store.defaults = info.defaults;
  store.activations = info.activations;
  for (const [id, list] of [["cost", info.costs], ["optimizer", info.optimizers]]) {
    for (const v of list) $(id).append(el("option", { value: v }, v));
  }
  const L = info.limits;
  $("samples").max = L.max_samples;
  $("limits").textContent = `Limits: up to ${L.max_hidden_layers} hidden layers of ${L.max_neurons} neurons; ` +
    `${L.max_samples.toLocaleString()} generated points; uploads up to ${(L.max_upload_bytes / 1e6).toFixed(1)} MB and ` +
    `${L.max_upload_rows.toLocaleString()} rows (${L.max_upload_columns} columns); ${L.max_points} drawn points; ` +
    `${L.max_sessions} sessions (browser tabs) at once. Training runs in Python on glassnet's engine; ` +
    "this page only draws what it sends.";
  store.config = hashToConfig(location.hash, info.defaults);
  applyHidden(hashToHidden(location.hash));
  bindClassroom((hide) => location.origin + location.pathname + configToHash(store.config, hide));
  syncControls();
  bindControls({ setView, stepTrace });
  await bindLessons({ setView });
  bindPlane({ setView, selectPoint });
  bindDiagram({ redrawPlane: drawPlane, send: (m) => conn.send(m) });
  for (const [id, key] of [["show-test", "showTest"], ["discretize", "discretize"]]) {
    $(id).onchange = (e) => { store[key] = e.target.checked; drawPlane(); };
  }
  $("log-scale").onchange = (e) => { store.logScale = e.target.checked; drawChart(); };
  $("view-forward").parentElement.addEventListener("keydown", (ev) => {   // arrow keys move between the tabs
    if (!["ArrowLeft", "ArrowRight"].includes(ev.key)) return;
    const next = store.view === "forward" ? "backward" : "forward";
    setView(next);
    $(`view-${next}`).focus();
  });
  setView("forward");
  window.addEventListener("resize", () => drawAll());
  conn.open(onMessage);
}

start();
