// glassnet playground: the page. It holds no neural-network maths: every number it draws comes from the
// server, which runs glassnet's engine in Python. This file only keeps the settings, talks to the server
// over a WebSocket, and paints what it receives.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd"];
  const POS = [8, 119, 189], NEG = [245, 147, 34], WHITE = [255, 255, 255];

  // ------------------------------------------------------------------------------------------------ state
  const state = {
    limits: null,
    defaults: null,
    config: null,          // the settings as the page holds them (sent to the server on every change)
    data: null,            // the server's description of the data and the network
    frame: null,           // the latest frame
    weights: null,         // [{w: Float32Array, b: Float32Array}] decoded from the frame
    history: [],           // [{x: epoch, train, test}]
    playing: false,
    view: "forward",
    backward: null,        // the latest backward payload
    selected: null,        // {part, index}
    traceStage: 0,
    upload: null,          // summary of the uploaded file
  };

  // ------------------------------------------------------------------------------------------------ helpers
  function decode(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }
  function fmt(v, digits = 4) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(digits - 1);
    return Number(v.toPrecision(digits)).toString();
  }
  function mix(c1, c2, t) {
    return [0, 1, 2].map((i) => Math.round(c1[i] + (c2[i] - c1[i]) * t));
  }
  function hexToRgb(h) {
    return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
  }
  function diverging(v) {   // v in [-1, 1] -> orange (negative), white (0), blue (positive)
    const t = Math.max(-1, Math.min(1, v));
    return t >= 0 ? mix(WHITE, POS, t) : mix(WHITE, NEG, -t);
  }
  function el(tag, attrs = {}, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function setupCanvas(canvas, width, height) {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return ctx;
  }
  function randomId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ------------------------------------------------------------------------------------------------ errors
  function showError(field, message) {
    const banner = $("error");
    banner.textContent = message;
    banner.hidden = false;
    banner.dataset.field = field || "";
    let placed = false;
    document.querySelectorAll(".field-error").forEach((p) => {
      if (p.dataset.field === field) { p.textContent = message; placed = true; }
    });
    const m = /^layer(\d+)$/.exec(field || "");
    if (m) {
      const card = document.querySelector(`.layer-card[data-layer="${m[1]}"]`);
      if (card) { card.classList.add("invalid"); card.querySelector(".card-error").textContent = message; placed = true; }
    }
    const input = $(field);
    if (input) input.classList.add("invalid");
    return placed;
  }
  function clearErrors() {
    $("error").hidden = true;
    $("error").textContent = "";
    document.querySelectorAll(".field-error").forEach((p) => (p.textContent = ""));
    document.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
    document.querySelectorAll(".card-error").forEach((e) => (e.textContent = ""));
  }
  function notice(message, ms = 3000) {
    const n = $("notice");
    n.textContent = message;
    n.hidden = false;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(() => (n.hidden = true), ms);
  }

  // ------------------------------------------------------------------------------------------------ the URL
  // The settings live in the URL hash, so a link restores them (uploaded files excepted).
  function configToHash(c) {
    const p = new URLSearchParams();
    p.set("data", c.dataset);
    p.set("classes", c.classes);
    p.set("n", c.samples);
    p.set("noise", c.noise);
    p.set("test", c.test_fraction);
    p.set("seed", c.seed);
    p.set("layers", c.layers.map((l) => `${l.units}:${l.activation}`).join(","));
    p.set("cost", c.cost);
    p.set("opt", c.optimizer);
    p.set("lr", c.learning_rate);
    p.set("batch", c.batch_size === null ? 0 : c.batch_size);
    p.set("l2", c.l2);
    if (c.dataset === "draw" && c.points.length) {
      p.set("points", c.points.map((q) => `${q[0].toFixed(3)}:${q[1].toFixed(3)}:${q[2]}`).join(","));
    }
    return "#" + p.toString();
  }
  function hashToConfig(hash, defaults) {
    const c = JSON.parse(JSON.stringify(defaults));
    const p = new URLSearchParams(hash.replace(/^#/, ""));
    const num = (k, f) => { if (p.has(k)) { const v = Number(p.get(k)); c[f] = Number.isFinite(v) ? v : p.get(k); } };
    if (p.has("data")) c.dataset = p.get("data");
    num("classes", "classes"); num("n", "samples"); num("noise", "noise"); num("test", "test_fraction");
    num("seed", "seed"); num("lr", "learning_rate"); num("batch", "batch_size"); num("l2", "l2");
    if (p.has("cost")) c.cost = p.get("cost");
    if (p.has("opt")) c.optimizer = p.get("opt");
    if (p.has("layers")) {
      const s = p.get("layers");
      c.layers = s === "" ? [] : s.split(",").map((part) => {
        const [u, a] = part.split(":");
        return { units: Number(u), activation: a || "tanh" };
      });
    }
    if (p.has("points")) {
      c.points = p.get("points").split(",").filter(Boolean).map((q) => q.split(":").map(Number));
    }
    return c;
  }

  // ------------------------------------------------------------------------------------------------ server
  const conn = {
    ws: null,
    id: null,
    pingTimer: null,
    retry: 500,
    open() {
      this.id = randomId();
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const ws = new WebSocket(`${scheme}://${location.host}/ws/${this.id}`);
      this.ws = ws;
      $("download-model").href = `/api/sessions/${this.id}/model`;
      $("download-snippet").href = `/api/sessions/${this.id}/snippet`;
      ws.onopen = () => { this.retry = 500; setStatus(""); };
      ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
      ws.onclose = () => {
        clearInterval(this.pingTimer);
        if (this.fatal) return;
        setStatus("connection lost; reconnecting…");
        setTimeout(() => this.open(), this.retry);
        this.retry = Math.min(this.retry * 2, 8000);
      };
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: "ping" }), 5000);
    },
    send(message) {
      if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
    },
  };
  function setStatus(text) {
    if (text) notice(text, 60000); else $("notice").hidden = true;
  }

  let configTimer = null;
  function sendConfig(immediately = false) {
    clearTimeout(configTimer);
    const go = () => {
      // "upload" chosen but no file yet: nothing to train on, so nothing to send (a send still pending from
      // an earlier change would otherwise draw the server's "no file uploaded yet" over newer messages)
      if (state.config.dataset === "upload" && !state.upload) return;
      history.replaceState(null, "", configToHash(state.config));
      conn.send({ type: "config", config: state.config });
    };
    if (immediately) go(); else configTimer = setTimeout(go, 250);
  }

  function onMessage(m) {
    switch (m.type) {
      case "hello": sendConfig(true); break;
      case "data": onData(m); break;
      case "frame": onFrame(m); break;
      case "state": setPlaying(m.playing); break;
      case "backward": onBackward(m); break;
      case "error":
        showError(m.field, m.message);
        if (m.field === "learning_rate") setPlaying(false);
        break;
      case "fatal": conn.fatal = true; showError("", m.message); break;
      default: break;
    }
  }

  // ------------------------------------------------------------------------------------------------ controls
  function syncControls() {
    const c = state.config;
    $("dataset").value = c.dataset;
    $("classes").value = c.classes; $("classes-value").textContent = c.classes;
    $("samples").value = c.samples; $("samples-value").textContent = c.samples;
    $("noise").value = c.noise; $("noise-value").textContent = c.noise;
    $("test_fraction").value = c.test_fraction;
    $("test-value").textContent = Math.round(c.test_fraction * 100) + "%";
    $("seed").value = c.seed;
    $("cost").value = c.cost;
    $("optimizer").value = c.optimizer;
    $("learning_rate").value = c.learning_rate;
    $("batch_size").value = c.batch_size === null ? 0 : c.batch_size;
    $("l2").value = c.l2;
    const generated = !["draw", "upload"].includes(c.dataset);
    $("classes-row").hidden = !["spiral", "gaussians", "draw"].includes(c.dataset);
    $("samples-row").hidden = !generated;
    $("noise-row").hidden = !generated;
    $("draw-row").hidden = c.dataset !== "draw";
    $("upload-row").hidden = c.dataset !== "upload";
    const sel = $("draw-class");
    const keep = sel.value;
    sel.innerHTML = "";
    for (let k = 0; k < c.classes; k++) sel.append(el("option", { value: k }, `${k}`));
    sel.value = keep && Number(keep) < c.classes ? keep : "0";
    sel.style.color = CLASS_COLORS[Number(sel.value)];
    renderLayerCards();
  }

  function renderLayerCards() {
    const box = $("layers");
    box.innerHTML = "";
    const acts = state.activations || ["tanh"];
    state.config.layers.forEach((layer, i) => {
      const card = el("div", { class: "layer-card", "data-layer": i + 1 });
      card.append(el("div", { class: "title" }, `hidden layer ${i + 1}`));
      const units = el("div", { class: "units" });
      const minus = el("button", { title: "one neuron fewer", "aria-label": `fewer neurons in layer ${i + 1}` }, "−");
      const input = el("input", { type: "number", min: 1, step: 1, id: `units-${i + 1}`, class: "units-input" });
      input.value = layer.units;
      const plus = el("button", { title: "one neuron more", "aria-label": `more neurons in layer ${i + 1}` }, "+");
      minus.onclick = () => { if (layer.units > 1) { layer.units -= 1; changed(); } };
      plus.onclick = () => { layer.units += 1; changed(); };
      input.onchange = () => { layer.units = Number(input.value); changed(); };
      units.append(minus, input, plus);
      const select = el("select", { "aria-label": `activation of layer ${i + 1}` });
      for (const a of acts) select.append(el("option", { value: a }, a));
      select.value = layer.activation;
      select.onchange = () => { layer.activation = select.value; changed(); };
      card.append(units, select, el("div", { class: "field-error card-error" }));
      box.append(card);
    });
    const n = state.config.layers.length;
    const L = state.limits;
    $("layer-count").textContent = `${n} hidden layer${n === 1 ? "" : "s"}` +
      (L ? ` (limit ${L.max_hidden_layers} of ${L.max_neurons})` : "");
  }

  function changed() {
    clearErrors();
    syncControls();
    sendConfig();
  }

  function bindControls() {
    const c = () => state.config;
    $("dataset").onchange = (e) => {
      const d = e.target.value;
      c().dataset = d;
      const regression = d === "plane" || d === "sine" ||
        (d === "upload" && state.upload && state.upload.task === "regression");
      if (regression) c().cost = "mse";
      else if (c().cost === "mse") c().cost = "cross_entropy";
      if (d === "upload" && !state.upload) {
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
    range("test_fraction", "test_fraction");
    $("seed").onchange = (e) => { c().seed = Number(e.target.value); changed(); };
    $("reseed").onclick = () => { c().seed = Math.floor(Math.random() * 100000); changed(); };
    $("cost").onchange = (e) => { c().cost = e.target.value; changed(); };
    $("optimizer").onchange = (e) => {
      c().optimizer = e.target.value;
      c().learning_rate = e.target.value === "adam" ? 0.01 : 0.3;
      changed();
    };
    $("learning_rate").onchange = (e) => { c().learning_rate = Number(e.target.value); changed(); };
    $("batch_size").onchange = (e) => {
      const v = Number(e.target.value);
      c().batch_size = v === 0 ? null : v;
      changed();
    };
    $("l2").onchange = (e) => { c().l2 = Number(e.target.value); changed(); };
    $("add-layer").onclick = () => {
      const last = c().layers[c().layers.length - 1];
      c().layers.push({ units: last ? last.units : 4, activation: last ? last.activation : "tanh" });
      changed();
    };
    $("remove-layer").onclick = () => { c().layers.pop(); changed(); };
    $("draw-class").onchange = (e) => (e.target.style.color = CLASS_COLORS[Number(e.target.value)]);
    $("clear-points").onclick = () => { c().points = []; changed(); };
    $("upload").onchange = uploadFile;
    $("target").onchange = (e) => { c().target = e.target.value; uploadFile(); };

    $("play").onclick = () => {
      conn.send({ type: "play", playing: !state.playing, speed: Number($("speed").value) });
    };
    $("speed").onchange = () => {
      if (state.playing) conn.send({ type: "play", playing: true, speed: Number($("speed").value) });
    };
    $("step").onclick = () => conn.send({ type: "step" });
    $("reset").onclick = () => { state.history = []; conn.send({ type: "reset" }); };
    $("share").onclick = async () => {
      const url = location.origin + location.pathname + configToHash(state.config);
      history.replaceState(null, "", configToHash(state.config));
      try { await navigator.clipboard.writeText(url); notice("Link copied: it restores these settings and the seed."); }
      catch (err) { notice("Share this link: " + url, 10000); }
    };
    $("view-forward").onclick = () => setView("forward");
    $("view-backward").onclick = () => setView("backward");
    $("trace-prev").onclick = () => { state.traceStage = Math.max(0, state.traceStage - 1); renderTrace(); };
    $("trace-next").onclick = () => { state.traceStage += 1; renderTrace(); };
    $("plane").addEventListener("click", onPlaneClick);
    $("diagram").addEventListener("mousemove", onDiagramHover);
    $("diagram").addEventListener("mouseleave", () => ($("tooltip").hidden = true));
  }

  async function uploadFile() {
    const file = $("upload").files[0];
    if (!file) return;
    clearErrors();
    const limit = state.limits.max_upload_bytes;
    if (file.size > limit) {
      showError("upload", `${file.name} is ${file.size.toLocaleString()} bytes; the limit is ${limit.toLocaleString()}`);
      return;
    }
    const text = await file.text();
    const target = state.config.target ? `&target=${encodeURIComponent(state.config.target)}` : "";
    const res = await fetch(`/api/sessions/${conn.id}/upload?name=${encodeURIComponent(file.name)}${target}`, {
      method: "POST", headers: { "Content-Type": "text/csv" }, body: text,
    });
    const body = await res.json();
    if (!res.ok) { showError(body.field || "upload", body.error); return; }
    state.upload = body;
    state.config.dataset = "upload";
    state.config.target = body.target;
    state.config.cost = body.task === "regression" ? "mse" : "cross_entropy";
    const sel = $("target");
    sel.innerHTML = "";
    for (const name of [...body.features, body.target]) sel.append(el("option", { value: name }, name));
    sel.value = body.target;
    $("upload-info").textContent = `${body.filename}: ${body.rows} rows, ${body.features.length} features, ` +
      (body.task === "regression" ? "a number to predict" : `${body.classes.length} classes`) + " (features standardized)";
    changed();
  }

  function setPlaying(on) {
    state.playing = on;
    $("play").textContent = on ? "❚❚ Pause" : "▶ Play";
  }

  function setView(view) {
    state.view = view;
    $("view-forward").classList.toggle("active", view === "forward");
    $("view-backward").classList.toggle("active", view === "backward");
    $("backward-panel").hidden = view !== "backward";
    $("legend-text").textContent = view === "forward"
      ? "line width: |weight|; each hidden square: that neuron's activation over the input plane"
      : "line width: |∂J/∂w| for the chosen point; squares: each neuron's δ (its share of the blame)";
    if (view === "backward" && !state.selected && state.data) selectPoint("train", 0);
    if (view === "forward" && state.selected) {
      state.selected = null;
      conn.send({ type: "backward", index: null });
    }
    drawAll();
  }

  function selectPoint(part, index) {
    state.selected = { part, index };
    state.traceStage = 0;
    conn.send({ type: "backward", part, index });
  }

  // ------------------------------------------------------------------------------------------------ messages
  function onData(m) {
    // New data answers a settings change sent earlier; it must not wipe a complaint about a file the
    // person chose since (a late answer used to erase the "too large" message as it appeared).
    if ($("error").dataset.field !== "upload") clearErrors();
    state.data = m;
    state.history = [];
    state.backward = null;
    state.selected = null;
    $("accuracy-box").hidden = m.task !== "classification";
    const desc = m.task === "classification"
      ? `${m.name}: ${m.train.y.length} training and ${m.test.y.length} test points, ${m.n_classes} classes`
      : `${m.name}: ${m.train.y.length} training and ${m.test.y.length} test points, a number to predict`;
    $("data-description").textContent = desc + `. Network ${m.sizes.join("–")} (${m.n_params} weights and biases), ` +
      `output ${m.output}.`;
    $("plane-legend").textContent = m.extent.length === 0
      ? `${m.features.length} inputs: no input plane to draw (the pictures need 1 or 2 inputs)`
      : "● training points   ○ test points" + (m.task === "classification" ? "   background: the predicted class" : "");
    if (state.view === "backward") selectPoint("train", 0);
  }

  function onFrame(f) {
    if (!state.data) return;
    state.frame = f;
    state.weights = f.weights.map((l) => ({ w: decode(l.w), b: decode(l.b) }));
    if (f.output) f.outputValues = decode(f.output.values);
    if (f.hidden) f.hiddenValues = f.hidden.layers.map(decode);
    const last = state.history[state.history.length - 1];
    if (!last || f.progress > last.x) state.history.push({ x: f.progress, train: f.train_cost, test: f.test_cost });
    else if (f.progress < last.x) state.history = [{ x: f.progress, train: f.train_cost, test: f.test_cost }];
    if (state.history.length > 3000) state.history = state.history.filter((_, i) => i % 2 === 0);
    $("epoch").textContent = f.epoch;
    $("epoch").dataset.value = f.progress;
    $("train-cost").textContent = fmt(f.train_cost);
    $("train-cost").dataset.value = f.train_cost;
    $("test-cost").textContent = fmt(f.test_cost);
    $("test-cost").dataset.value = f.test_cost;
    $("test-accuracy").textContent = f.test_accuracy === null ? "–" : (100 * f.test_accuracy).toFixed(1) + "%";
    if (f.playing !== undefined) setPlaying(f.playing);
    if (f.backward) onBackward(f.backward, true);
    drawAll();
  }

  function onBackward(b, fromFrame = false) {
    if (b.index === null) { state.backward = null; renderBackward(); return; }
    if (state.selected && (b.part !== state.selected.part || b.index !== state.selected.index)) return;
    state.backward = b;
    renderBackward();
    if (!fromFrame) drawAll();
  }

  // ------------------------------------------------------------------------------------------------ drawing
  function drawAll() {
    drawPlane();
    drawChart();
    drawDiagram();
  }

  function classProbs(values, i, nOut, k) {
    if (nOut === 1) { const p = values[i]; return [1 - p, p]; }
    return Array.from(values.subarray(i * nOut, i * nOut + nOut));
  }
  function classColor(probs) {
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
  function valueColor(v, lo, hi) {
    const mid = (lo + hi) / 2, half = Math.max((hi - lo) / 2, 1e-9);
    return diverging((v - mid) / half);
  }

  // Paint a res x res grid (row 0 at the top) of colours, smoothly scaled into (x, y, w, h).
  function paintGrid(ctx, res, colorAt, x, y, w, h) {
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

  const PLANE = 360;
  function drawPlane() {
    const canvas = $("plane");
    const ctx = setupCanvas(canvas, PLANE, PLANE);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, PLANE, PLANE);
    const d = state.data, f = state.frame;
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
      ? classColor(classProbs(vals, i, nOut, d.n_classes)) : valueColor(vals[i], lo, hi), 0, 0, PLANE, PLANE);
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
    if (state.selected && state.view === "backward") {
      const P = d[state.selected.part];
      const q = P.X[state.selected.index];
      if (q) {
        ctx.beginPath(); ctx.arc(px(q[0]), py(q[1]), 8, 0, 2 * Math.PI);
        ctx.strokeStyle = "#111"; ctx.lineWidth = 2; ctx.stroke();
      }
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
    if (state.selected && state.view === "backward") {
      const P = d[state.selected.part];
      const i = state.selected.index;
      if (P.X[i]) {
        ctx.beginPath(); ctx.arc(px(P.X[i][0]), py(P.y[i]), 8, 0, 2 * Math.PI);
        ctx.strokeStyle = "#111"; ctx.lineWidth = 2; ctx.stroke();
      }
    }
  }

  function drawChart() {
    const W = 360, H = 170;
    const ctx = setupCanvas($("chart"), W, H);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    const h = state.history;
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

  // ----- the network diagram
  const NODE = 34, GAP = 10, MAX_SHOWN = 10;
  let diagramLayout = null;

  function drawDiagram() {
    const d = state.data, f = state.frame;
    const canvas = $("diagram");
    const wrapWidth = Math.max(420, canvas.parentElement.clientWidth);
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
    const back = state.view === "backward" && state.backward ? state.backward : null;
    const lines = [];
    // weights (or, in the backward view, the gradients) as lines
    for (let l = 1; l < sizes.length; l++) {
      const nIn = sizes[l - 1], nOut = sizes[l];
      const w = state.weights[l - 1].w;
      const g = back ? back.layers[l - 1].grad_weights : null;
      let maxAbs = 1e-12;
      for (let k = 0; k < shown[l - 1]; k++) for (let j = 0; j < shown[l]; j++) {
        const v = g ? g[k][j] : w[k * nOut + j];
        maxAbs = Math.max(maxAbs, Math.abs(v));
      }
      if (!g) maxAbs = Math.max(maxAbs, 1);
      for (let k = 0; k < shown[l - 1]; k++) for (let j = 0; j < shown[l]; j++) {
        const v = g ? g[k][j] : w[k * nOut + j];
        const t = Math.abs(v) / maxAbs;
        const a = nodes[l - 1][k], b = nodes[l][j];
        const x1 = a.x + NODE, y1 = a.y + NODE / 2, x2 = b.x, y2 = b.y + NODE / 2;
        ctx.strokeStyle = `rgba(${(v >= 0 ? POS : NEG).join(",")},${0.2 + 0.8 * t})`;
        ctx.lineWidth = 0.4 + 4 * t;
        ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); ctx.stroke();
        lines.push({ l, k, j, x1, y1, x2, y2 });
      }
      void nIn;
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
        ctx.fillStyle = "#6b7785"; ctx.font = "11px system-ui"; ctx.textAlign = "center";
        ctx.fillText(`+${sizes[l] - shown[l]} more`, colX(l) + NODE / 2, nodeY(l, shown[l] - 1) + NODE + 14);
      }
      ctx.fillStyle = "#6b7785"; ctx.font = "11px system-ui"; ctx.textAlign = "center";
      const title = l === 0 ? "inputs" : l === sizes.length - 1 ? `output (${d.output})` : `${d.activations[l - 1]}`;
      ctx.fillText(title, colX(l) + NODE / 2, 16);
    }
    diagramLayout = { nodes, lines, W, H };
  }

  function drawNode(ctx, l, i, x, y, scale, hres, back) {
    const d = state.data, f = state.frame, L = d.sizes.length - 1;
    ctx.save();
    ctx.beginPath(); ctx.rect(x, y, NODE, NODE); ctx.clip();
    const twoD = d.extent.length === 4, oneD = d.extent.length === 2;
    if (back && l > 0) {
      const delta = back.layers[l - 1].delta;
      let m = 1e-12;
      for (const v of delta) m = Math.max(m, Math.abs(v));
      ctx.fillStyle = `rgb(${diverging(delta[i] / m).join(",")})`;
      ctx.fillRect(x, y, NODE, NODE);
      ctx.fillStyle = "#1f2933"; ctx.font = "9px system-ui"; ctx.textAlign = "center";
      ctx.fillText(fmt(delta[i], 2), x + NODE / 2, y + NODE / 2 + 3);
    } else if (back && l === 0) {
      ctx.fillStyle = "#f3f4f6"; ctx.fillRect(x, y, NODE, NODE);
      ctx.fillStyle = "#1f2933"; ctx.font = "9px system-ui"; ctx.textAlign = "center";
      ctx.fillText(fmt(back.x[i], 2), x + NODE / 2, y + NODE / 2 + 3);
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
        ? (nOut === 1 ? classColor([1 - vals[c], vals[c]]) : mix(WHITE, hexToRgb(CLASS_COLORS[i % 5]), vals[c * nOut + i]))
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

  function onDiagramHover(ev) {
    const tip = $("tooltip");
    if (!diagramLayout || !state.frame) return;
    const rect = $("diagram").getBoundingClientRect();
    const mx = ev.clientX - rect.left, my = ev.clientY - rect.top;
    const d = state.data, back = state.view === "backward" ? state.backward : null;
    let text = null;
    diagramLayout.nodes.forEach((col, l) => col.forEach((n, i) => {
      if (mx >= n.x && mx <= n.x + NODE && my >= n.y && my <= n.y + NODE) {
        if (l === 0) text = `input ${d.features[i]}` + (back ? `\nx = ${fmt(back.x[i], 6)}` : "");
        else {
          const bias = state.weights[l - 1].b[i];
          text = `layer ${l}, neuron ${i}${l === d.sizes.length - 1 ? " (output)" : ""}\nbias b = ${fmt(bias, 6)}`;
          if (back) {
            const L = back.layers[l - 1];
            text += `\ns = ${fmt(L.s[i], 6)}\na = f(s) = ${fmt(L.a[i], 6)}` +
              (L.slope ? `\nf'(s) = ${fmt(L.slope[i], 6)}` : "") +
              `\nδ = ${fmt(L.delta[i], 6)}\n∂J/∂b = δ = ${fmt(L.grad_bias[i], 6)}`;
          }
        }
      }
    }));
    if (!text) {
      let best = null, bestDist = 5;
      for (const ln of diagramLayout.lines) {
        const dx = ln.x2 - ln.x1, dy = ln.y2 - ln.y1;
        const t = Math.max(0, Math.min(1, ((mx - ln.x1) * dx + (my - ln.y1) * dy) / (dx * dx + dy * dy)));
        const dist = Math.hypot(mx - (ln.x1 + t * dx), my - (ln.y1 + t * dy));
        if (dist < bestDist) { bestDist = dist; best = ln; }
      }
      if (best) {
        const nOut = d.sizes[best.l];
        const w = state.weights[best.l - 1].w[best.k * nOut + best.j];
        text = `w[${best.k}, ${best.j}]: from neuron ${best.k} (layer ${best.l - 1}) to neuron ${best.j} (layer ${best.l})\nw = ${fmt(w, 6)}`;
        if (back) {
          const L = back.layers[best.l - 1];
          text += `\n∂J/∂w = a·δ = ${fmt(L.a_prev[best.k], 4)} × ${fmt(L.delta[best.j], 4)} = ${fmt(L.grad_weights[best.k][best.j], 6)}`;
        }
      }
    }
    if (!text) { tip.hidden = true; return; }
    tip.textContent = text;
    tip.hidden = false;
    tip.style.left = Math.min(mx + 14, diagramLayout.W - 260) + "px";
    tip.style.top = my + 14 + "px";
  }

  function onPlaneClick(ev) {
    const d = state.data;
    if (!d || d.extent.length === 0) return;
    const rect = $("plane").getBoundingClientRect();
    const mx = ((ev.clientX - rect.left) / rect.width) * PLANE, my = ((ev.clientY - rect.top) / rect.height) * PLANE;
    if (d.extent.length === 4) {
      const [x0, x1, y0, y1] = d.extent;
      const x = x0 + (mx / PLANE) * (x1 - x0), y = y1 - (my / PLANE) * (y1 - y0);
      if (state.config.dataset === "draw" && state.view === "forward") {
        const pts = state.config.points;
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
      const near = nearestPoint((p) => Math.hypot(p[0] - x, p[1] - y));
      if (near) { if (state.view !== "backward") setView("backward"); selectPoint(near.part, near.index); }
    } else {
      const [x0, x1] = d.extent;
      const x = x0 + ((mx - 20) / (PLANE - 30)) * (x1 - x0);
      const near = nearestPoint((p) => Math.abs(p[0] - x));
      if (near) { if (state.view !== "backward") setView("backward"); selectPoint(near.part, near.index); }
    }
  }
  function nearestPoint(dist) {
    let best = null, bd = Infinity;
    for (const part of ["train", "test"]) {
      state.data[part].X.forEach((p, index) => {
        const dd = dist(p);
        if (dd < bd) { bd = dd; best = { part, index }; }
      });
    }
    return best;
  }

  // ------------------------------------------------------------------------------------------------ backward
  const SHOW = 8;  // rows and columns shown per table; the data attributes always hold every number
  function numCell(v, tag = "td") {
    const c = el(tag, { "data-value": String(v) }, fmt(v));
    if (tag === "td") c.className = v > 0 ? "pos" : v < 0 ? "neg" : "";
    return c;
  }
  function renderBackward() {
    const panel = $("bp-layers"), pointBox = $("bp-point");
    panel.innerHTML = "";
    pointBox.innerHTML = "";
    const b = state.backward, d = state.data;
    if (!b || !d) { renderTrace(); return; }
    const target = d.task === "classification" ? `class ${b.label} (${d.class_names[b.label] ?? b.label})` : fmt(b.label, 6);
    pointBox.dataset.part = b.part;
    pointBox.dataset.index = b.index;
    pointBox.dataset.x = JSON.stringify(b.x);
    pointBox.dataset.y = JSON.stringify(b.y);
    pointBox.innerHTML = "";
    pointBox.append(
      el("b", {}, `${b.part === "train" ? "Training" : "Test"} point #${b.index}`),
      document.createTextNode(`: x = (${b.x.map((v) => fmt(v)).join(", ")}), target ${target}. `),
      document.createTextNode(`Cost of this example J = ${fmt(b.cost, 6)} (${b.cost_name}).`),
    );
    $("bp1-note").textContent = b.fused
      ? `(fused with ${b.cost_name}: δᴸ = aᴸ − y)` : "(mse: ∂J/∂a = 2(a − y)/n_outputs)";
    const nL = b.layers.length;
    for (let l = nL - 1; l >= 0; l--) {
      const L = b.layers[l];
      const sec = el("section", {
        class: "bp-layer", "data-layer": l + 1,
        "data-delta": JSON.stringify(L.delta),
        "data-grad-weights": JSON.stringify(L.grad_weights),
        "data-grad-bias": JSON.stringify(L.grad_bias),
      });
      const eq = l === nL - 1 ? "BP1" : "BP2";
      sec.append(el("h3", {}, `Layer ${l + 1}${l === nL - 1 ? " (output)" : ""}: ${L.activation}, ` +
        `δ by ${eq}, ∂J/∂b by BP3, ∂J/∂W by BP4`));
      const tables = el("div", { class: "tables" });
      // neurons
      const t1 = el("table", { class: "num neurons" });
      t1.append(el("caption", {}, "neurons"));
      const head = el("tr");
      for (const h of ["j", "s", "a", "f′(s)", "δ", "∂J/∂b", "b − η∂J/∂b"]) head.append(el("th", {}, h));
      t1.append(head);
      L.delta.forEach((_, j) => {
        if (j >= SHOW * 2) return;
        const tr = el("tr");
        tr.append(el("th", {}, `${j}`), numCell(L.s[j]), numCell(L.a[j]),
          L.slope ? numCell(L.slope[j]) : el("td", { class: "elided" }, "fused"),
          numCell(L.delta[j]), numCell(L.grad_bias[j]), numCell(L.new_bias[j]));
        tr.lastChild.className = "";
        t1.append(tr);
      });
      if (L.delta.length > SHOW * 2) t1.append(el("tr", {}, ""), el("td", { class: "elided", colspan: 7 }, `… ${L.delta.length - SHOW * 2} more`));
      // gradient matrix
      const t2 = el("table", { class: "num grads" });
      t2.append(el("caption", {}, "∂J/∂w[k, j]: row k, neuron k below (output a_k); column j, neuron j here"));
      const nIn = L.grad_weights.length, nOut = L.delta.length;
      const hr = el("tr");
      hr.append(el("th", {}, "k \\ j"), el("th", {}, "a_k"));
      for (let j = 0; j < Math.min(nOut, SHOW); j++) hr.append(el("th", {}, `${j}`));
      if (nOut > SHOW) hr.append(el("th", { class: "elided" }, "…"));
      t2.append(hr);
      for (let k = 0; k < Math.min(nIn, SHOW); k++) {
        const tr = el("tr");
        tr.append(el("th", {}, `${k}`), numCell(L.a_prev[k]));
        tr.lastChild.className = "";
        for (let j = 0; j < Math.min(nOut, SHOW); j++) {
          const c = numCell(L.grad_weights[k][j]);
          c.title = `w = ${L.weights[k][j]}\n∂J/∂w = a_k·δ_j = ${L.a_prev[k]} × ${L.delta[j]}\nafter one step: ${L.new_weights[k][j]}`;
          tr.append(c);
        }
        if (nOut > SHOW) tr.append(el("td", { class: "elided" }, "…"));
        t2.append(tr);
      }
      if (nIn > SHOW) t2.append(el("tr", {}, ""), el("td", { class: "elided", colspan: 2 + Math.min(nOut, SHOW) }, `… ${nIn - SHOW} more rows`));
      tables.append(t1, t2);
      sec.append(tables);
      panel.append(sec);
    }
    renderTrace();
  }

  // The step-through: the same numbers, one stage at a time, in the order the engine computes them.
  function traceStages(b) {
    const nL = b.layers.length;
    const vec = (a) => "[" + a.slice(0, 8).map((v) => fmt(v)).join(", ") + (a.length > 8 ? ", …" : "") + "]";
    const stages = [];
    stages.push(["the example", `x = ${vec(b.x)}\ny = ${vec(b.y)}  (the target, as the network's outputs see it)`]);
    b.layers.forEach((L, l) => {
      const lines = [`a_prev = ${vec(L.a_prev)}`];
      L.s.slice(0, 6).forEach((s, j) => {
        const terms = L.a_prev.slice(0, 4).map((a, k) => `${fmt(L.weights[k][j], 3)}×${fmt(a, 3)}`).join(" + ");
        lines.push(`s_${j + 1} = ${terms}${L.a_prev.length > 4 ? " + …" : ""} + ${fmt(L.bias[j], 3)} = ${fmt(s)}`);
      });
      lines.push(`a = ${L.activation}(s) = ${vec(L.a)}`);
      stages.push([`forward, layer ${l + 1}`, lines.join("\n")]);
    });
    stages.push(["cost", `J = ${b.cost_name}(a, y) = ${fmt(b.cost, 6)}`]);
    const out = b.layers[nL - 1];
    stages.push(["output delta (BP1)", (b.fused ? "δ = a − y (the cost is fused with the output activation)\n"
      : "δ = ∂J/∂a ⊙ f′(s)\n") + `δ = ${vec(out.delta)}`]);
    for (let l = nL - 2; l >= 0; l--) {
      const L = b.layers[l];
      const lines = [];
      L.delta.slice(0, 6).forEach((dlt, k) => {
        const contrib = L.contributions[k];
        const sum = contrib.slice(0, 4).map((v) => fmt(v, 3)).join(" + ");
        lines.push(`δ_${k + 1} = f′(s)·Σ w·δ = ${fmt(L.slope[k], 4)} × (${sum}${contrib.length > 4 ? " + …" : ""}) = ${fmt(dlt)}`);
      });
      stages.push([`delta, layer ${l + 1} (BP2)`, lines.join("\n")]);
    }
    b.layers.forEach((L, l) => {
      stages.push([`gradients, layer ${l + 1} (BP3, BP4)`,
        `∂J/∂b = δ = ${vec(L.grad_bias)}\n∂J/∂w_kj = a_k δ_j, first row: ${vec(L.grad_weights[0])}`]);
    });
    stages.push([`update (one gradient-descent step, η = ${b.learning_rate})`, b.layers.map((L, l) =>
      `layer ${l + 1}: b ← b − η∂J/∂b = ${vec(L.new_bias)}\n         first row of W ← ${vec(L.new_weights[0])}`).join("\n")]);
    return stages;
  }
  // glassnet's own Trace (net.trace(x, y).to_text()) in its parts; Forward and Backward layer by layer.
  function traceTextStages(text) {
    const parts = text.split(/\n\s*\n/);
    const stages = [["what the numbers mean", parts.slice(0, 2).join("\n\n")]];
    for (const part of parts.slice(2)) {
      const [head, ...rest] = part.split("\n");
      const title = head.split(/[:(]/)[0].trim();
      const starts = rest.map((line, i) => (/^ {2}layer \d/.test(line) ? i : -1)).filter((i) => i >= 0);
      if (!["Forward", "Backward"].includes(title) || starts.length === 0) {
        stages.push([title.toLowerCase(), part]);
        continue;
      }
      const preamble = rest.slice(0, starts[0]);
      starts.forEach((start, n) => {
        const block = rest.slice(start, n + 1 < starts.length ? starts[n + 1] : rest.length);
        const name = block[0].trim().split(" (")[0];
        stages.push([`${title.toLowerCase()}, ${name}`, [head, ...preamble, ...block].join("\n")]);
      });
    }
    return stages;
  }
  function renderTrace() {
    const b = state.backward;
    if (!b) { $("trace-body").textContent = "Choose a point on the output plane."; $("trace-stage").textContent = ""; return; }
    const stages = b.trace_text ? traceTextStages(b.trace_text) : traceStages(b);
    state.traceStage = Math.min(state.traceStage, stages.length - 1);
    const [title, body] = stages[state.traceStage];
    $("trace-stage").textContent = `${state.traceStage + 1} / ${stages.length}: ${title}`;
    $("trace-body").textContent = body;
  }

  // ------------------------------------------------------------------------------------------------ start
  async function start() {
    const info = await (await fetch("/api/limits")).json();
    state.limits = info.limits;
    state.defaults = info.defaults;
    state.activations = info.activations;
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
    state.config = hashToConfig(location.hash, info.defaults);
    syncControls();
    bindControls();
    setView("forward");
    window.addEventListener("resize", () => drawAll());
    conn.open();
  }
  window.glassnetPlayground = { state, conn };
  start();
})();
