// glassnet playground: the settings panel, the transport buttons and the CSV upload. Every change goes into
// store.config, into the URL hash and (a moment later) to the server, which answers with new data and frames.
import { $, el, SHAPES } from "./util.js";
import { store } from "./state.js";
import { conn } from "./socket.js";
import { clearErrors, notice, showError } from "./errors.js";
import { configToHash } from "./hash.js";

let configTimer = null;

/** Send the settings to the server: after a short pause (typing), or at once. */
export function sendConfig(immediately = false) {
  clearTimeout(configTimer);
  const go = () => {
    // "upload" chosen but no file yet: nothing to train on, so nothing to send (a send still pending from
    // an earlier change would otherwise draw the server's "no file uploaded yet" over newer messages)
    if (store.config.dataset === "upload" && !store.upload) return;
    history.replaceState(null, "", configToHash(store.config));
    conn.send({ type: "config", config: store.config });
  };
  if (immediately) go(); else configTimer = setTimeout(go, 250);
}

/** The controls show store.config. */
export function syncControls() {
  const c = store.config;
  const classes = classCount();
  if (c.cost === "binary_cross_entropy" && classes !== undefined && classes !== 2) c.cost = "cross_entropy";
  $("dataset").value = c.dataset;
  $("classes").value = c.classes; $("classes-value").textContent = c.classes;
  $("samples").value = c.samples; $("samples-value").textContent = c.samples;
  $("noise").value = c.noise; $("noise-value").textContent = c.noise;
  const share = Math.round((1 - c.test_fraction) * 100);
  $("train_share").value = share;
  $("train_share").setAttribute("aria-valuetext", `${share}% training, ${100 - share}% test`);
  $("train-share-value").textContent = `${share}% / ${100 - share}%`;
  $("seed").value = c.seed;
  $("cost").value = c.cost;
  $("optimizer").value = c.optimizer;
  $("learning_rate").value = c.learning_rate;
  $("batch_size").value = c.batch_size === null ? 0 : c.batch_size;
  $("l2").value = c.l2;
  $("l1").value = c.l1;
  const generated = !["draw", "upload"].includes(c.dataset);
  $("classes-row").hidden = !["spiral", "gaussians", "draw"].includes(c.dataset);
  $("samples-row").hidden = !generated;
  $("noise-row").hidden = !generated;
  $("draw-row").hidden = c.dataset !== "draw";
  $("upload-row").hidden = c.dataset !== "upload";
  const sel = $("draw-class");
  const keep = sel.value;
  sel.innerHTML = "";
  for (let k = 0; k < c.classes; k++) sel.append(el("option", { value: k }, `${k} (${SHAPES[k % SHAPES.length]})`));
  sel.value = keep && Number(keep) < c.classes ? keep : "0";
  for (const option of $("cost").options) {   // binary cross-entropy takes two classes; regression takes mse
    option.disabled = classes === null ? option.value !== "mse"
      : option.value === "binary_cross_entropy" && classes !== 2;
  }
  renderFeatures();
  renderLayerCards();
}

const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2"];
const FEATURE_LABELS = { "x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2" };

/** The inputs the network sees (two-input data only): a checkbox per feature; the last one stays on. */
function renderFeatures() {
  const c = store.config;
  $("features-row").hidden = !["xor", "circles", "moons", "spiral", "gaussians", "plane", "draw"].includes(c.dataset);
  const box = $("features");
  if (!box.children.length) {
    for (const name of FEATURES) {
      const input = el("input", { type: "checkbox", value: name, id: `feature-${name}` });
      input.onchange = () => {
        const on = FEATURES.filter((f) => $(`feature-${f}`).checked);
        if (!on.length) { input.checked = true; return; }
        store.config.features = on;
        changed();
      };
      const label = el("label", {});
      label.append(input, document.createTextNode(FEATURE_LABELS[name] || name));
      box.append(label);
    }
  }
  const on = c.features || ["x1", "x2"];
  for (const name of FEATURES) $(`feature-${name}`).checked = on.includes(name);
}

/** How many classes the chosen data has (null: numbers to predict; undefined: not known yet). */
function classCount() {
  const c = store.config;
  if (["plane", "sine"].includes(c.dataset)) return null;
  if (["xor", "circles", "moons"].includes(c.dataset)) return 2;
  if (c.dataset === "upload") {
    if (!store.upload) return undefined;
    return store.upload.task === "regression" ? null : store.upload.classes.length;
  }
  return c.classes;   // spiral, gaussians and drawn points: the classes slider
}

/** A number typed into `input` for setting `key`, or null (after saying what is wanted and putting the value
 * in use back) when the field is empty or holds no number: Number("") would send 0. */
function typedNumber(input, key, wanted) {
  const text = input.value.trim();
  const value = Number(text);
  if (text === "" || !Number.isFinite(value)) {
    clearErrors();
    input.value = store.config[key] === null ? 0 : store.config[key];
    showError(key, `${key.replace("_", " ")} is ${text === "" ? "empty" : "not a number"}: type ${wanted}`);
    return null;
  }
  return value;
}

function renderLayerCards() {
  const box = $("layers");
  box.innerHTML = "";
  const acts = [...(store.activations || ["tanh"]), ...store.offer];
  store.config.layers.forEach((layer, i) => {
    const card = el("div", { class: "layer-card", "data-layer": i + 1 });
    card.append(el("div", { class: "title" }, `hidden layer ${i + 1}`));
    const units = el("div", { class: "units" });
    const minus = el("button", { title: "one neuron fewer", "aria-label": `fewer neurons in layer ${i + 1}` }, "−");
    const input = el("input", { type: "number", min: 1, step: 1, id: `units-${i + 1}`, class: "units-input",
      "aria-label": `neurons in hidden layer ${i + 1}` });
    input.value = layer.units;
    const plus = el("button", { title: "one neuron more", "aria-label": `more neurons in layer ${i + 1}` }, "+");
    minus.onclick = () => { if (layer.units > 1) { layer.units -= 1; changed(); } };
    plus.onclick = () => {
      if (!store.limits || layer.units < store.limits.max_neurons) { layer.units += 1; changed(); }
    };
    input.onchange = () => { layer.units = Number(input.value); changed(); };
    units.append(minus, input, plus);
    const select = el("select", { "aria-label": `activation of layer ${i + 1}` });
    for (const a of acts) select.append(el("option", { value: a }, a));
    select.value = layer.activation;
    select.onchange = () => { layer.activation = select.value; changed(); };
    card.append(units, select, el("div", { class: "field-error card-error" }));
    box.append(card);
  });
  const n = store.config.layers.length;
  const L = store.limits;
  // the buttons stop at the limits rather than lead to a refusal
  $("add-layer").disabled = Boolean(L) && n >= L.max_hidden_layers;
  $("remove-layer").disabled = n === 0;
  box.querySelectorAll(".layer-card").forEach((card, i) => {
    const [minus, , plus] = card.querySelectorAll(".units > *");
    minus.disabled = store.config.layers[i].units <= 1;
    plus.disabled = Boolean(L) && store.config.layers[i].units >= L.max_neurons;
  });
  $("layer-count").textContent = `${n} hidden layer${n === 1 ? "" : "s"}` +
    (L ? ` (limit ${L.max_hidden_layers} of ${L.max_neurons})` : "");
}

/** A setting changed: clear old complaints, show it, send it. */
export function changed() {
  clearErrors();
  syncControls();
  sendConfig();
}

export function setPlaying(on) {
  store.playing = on;
  $("play").textContent = on ? "❚❚ Pause" : "▶ Play";
}

/** Wire the controls. `actions.setView(view)` switches forward/backward; `actions.stepTrace(by)` moves the
 * step-through by `by` stages. */
export function bindControls(actions) {
  const c = () => store.config;
  $("dataset").onchange = (e) => {
    const d = e.target.value;
    const wasRegression = classCount() === null;
    c().dataset = d;
    const regression = d === "plane" || d === "sine" ||
      (d === "upload" && store.upload && store.upload.task === "regression");
    if (regression) c().cost = "mse";
    else if (c().cost === "mse" && wasRegression) c().cost = "cross_entropy";  // (mse for classes: by choice)
    if (d === "upload" && !store.upload) {
      syncControls();
      showError("upload", "choose a CSV file (a header row, then rows of numbers; the last column is the target)");
      return;
    }
    changed();
  };
  const range = (id, key, parse = Number) => {
    $(id).oninput = (e) => {
      c()[key] = parse(e.target.value);
      syncControls();
    };
    $(id).onchange = () => changed();
  };
  range("classes", "classes"); range("samples", "samples"); range("noise", "noise");
  range("train_share", "test_fraction", (v) => Number((1 - Number(v) / 100).toFixed(2)));
  const typed = (id, wanted, set) => {
    $(id).onchange = (e) => {
      const v = typedNumber(e.target, id, wanted);
      if (v !== null) { set(v); changed(); }
    };
  };
  typed("seed", "a whole number of at least 0", (v) => (c().seed = v));
  $("reseed").onclick = () => { c().seed = Math.floor(Math.random() * 100000); changed(); };
  $("cost").onchange = (e) => { c().cost = e.target.value; changed(); };
  $("optimizer").onchange = (e) => {
    c().optimizer = e.target.value;
    c().learning_rate = e.target.value === "adam" ? 0.01 : 0.3;
    changed();
  };
  typed("learning_rate", "a number greater than 0", (v) => (c().learning_rate = v));
  typed("batch_size", "a whole number (0: the whole training set)", (v) => (c().batch_size = v === 0 ? null : v));
  typed("l2", "a number of at least 0 (0: no L2)", (v) => (c().l2 = v));
  typed("l1", "a number of at least 0 (0: no L1)", (v) => (c().l1 = v));
  $("add-layer").onclick = () => {
    if (store.limits && c().layers.length >= store.limits.max_hidden_layers) return;
    const last = c().layers[c().layers.length - 1];
    c().layers.push({ units: last ? last.units : 4, activation: last ? last.activation : "tanh" });
    changed();
  };
  $("remove-layer").onclick = () => { c().layers.pop(); changed(); };
  $("clear-points").onclick = () => { c().points = []; changed(); };
  $("upload").onchange = uploadFile;
  $("target").onchange = (e) => { c().target = e.target.value; uploadFile(); };

  $("play").onclick = () => {
    conn.send({ type: "play", playing: !store.playing, speed: Number($("speed").value) });
  };
  $("speed").onchange = () => {
    if (store.playing) conn.send({ type: "play", playing: true, speed: Number($("speed").value) });
  };
  $("step").onclick = () => conn.send({ type: "step" });
  $("reset").onclick = () => { clearErrors(); store.history = []; conn.send({ type: "reset" }); };
  $("share").onclick = async () => {
    const url = location.origin + location.pathname + configToHash(store.config);
    history.replaceState(null, "", configToHash(store.config));
    try { await navigator.clipboard.writeText(url); notice("Link copied: it restores these settings and the seed."); }
    catch (err) { notice("Share this link: " + url, 10000); }
  };
  $("view-forward").onclick = () => actions.setView("forward");
  $("view-backward").onclick = () => actions.setView("backward");
  $("trace-prev").onclick = () => actions.stepTrace(-1);
  $("trace-next").onclick = () => actions.stepTrace(1);
}

async function uploadFile() {
  const file = $("upload").files[0];
  if (!file) return;
  clearErrors();
  const limit = store.limits.max_upload_bytes;
  if (file.size > limit) {
    showError("upload", `${file.name} is ${file.size.toLocaleString()} bytes; the limit is ${limit.toLocaleString()}`);
    return;
  }
  const text = await file.text();
  const target = store.config.target ? `&target=${encodeURIComponent(store.config.target)}` : "";
  const res = await fetch(`/api/sessions/${conn.id}/upload?name=${encodeURIComponent(file.name)}${target}`, {
    method: "POST", headers: { "Content-Type": "text/csv" }, body: text,
  });
  const body = await res.json();
  if (!res.ok) {  // the file (or the target column) in use stays; so do the controls that show it
    if (store.upload) { store.config.target = store.upload.target; $("target").value = store.upload.target; }
    showError(body.field || "upload", body.error);
    return;
  }
  store.upload = body;
  store.config.dataset = "upload";
  store.config.target = body.target;
  store.config.cost = body.task === "regression" ? "mse" : "cross_entropy";
  const sel = $("target");
  sel.innerHTML = "";
  for (const name of [...body.features, body.target]) sel.append(el("option", { value: name }, name));
  sel.value = body.target;
  $("upload-info").textContent = `${body.filename}: ${body.rows} rows, ${body.features.length} features, ` +
    (body.task === "regression" ? "a number to predict" : `${body.classes.length} classes`) + " (features standardized)";
  changed();
}
