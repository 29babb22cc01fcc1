// glassnet playground: the guided lessons (their content is data: lessons.json, checked by
// glassnet/playground/lessons.py). A lesson sets the playground up, then walks through its steps while the
// learner drives the real controls; a step's `until` says what the run must show before "next" opens.
import { $, el, fmt } from "./util.js";
import { store } from "./state.js";
import { conn } from "./socket.js";
import { clearErrors } from "./errors.js";
import { sendConfig, syncControls } from "./controls.js";

let lessons = [];
let actions = null;
const lesson = { current: null, step: 0, refused: null, race: null };

/** Whether the run shows what step `until` waits for. */
function reached(until) {
  const f = store.frame, d = store.data;
  switch (until.kind) {
    case "epochs": return Boolean(f) && f.progress >= until.at_least;
    case "steps": return Boolean(f) && f.steps >= until.at_least;
    case "hidden_layers": return Boolean(d) && d.sizes.length - 2 >= until.at_least;
    case "test_accuracy": return Boolean(f) && f.test_accuracy !== null && f.test_accuracy >= until.at_least;
    case "setting": {
      const v = d ? d.config[until.key] : undefined;
      return v !== undefined && (until.at_least === undefined || v >= until.at_least) &&
        (until.at_most === undefined || v <= until.at_most);
    }
    case "hint": return store.hints.some((h) => until.ids.includes(h.id));
    case "point_chosen": return store.view === "backward" && store.backward !== null && store.selected !== null;
    case "refused": return lesson.refused === until.field;
    case "trace_stage": return store.view === "backward" && store.traceStage >= until.at_least;
    case "race": return lesson.race !== null;
    default: return false;
  }
}

function render() {
  const card = $("lesson-card");
  const L = lesson.current;
  card.hidden = !L;
  $("lesson-list").hidden = Boolean(L);
  if (!L) return;
  const step = L.steps[lesson.step];
  const done = !step.until || reached(step.until);
  $("lesson-title").textContent = L.title;
  $("lesson-progress").textContent = `step ${lesson.step + 1} of ${L.steps.length}`;
  if ($("lesson-text").textContent !== step.text) $("lesson-text").textContent = step.text;
  const last = lesson.step === L.steps.length - 1;
  $("lesson-status").textContent = last ? "the end of this lesson" : done ? "✓ done: go on with next" : "waiting for you…";
  $("lesson-status").className = "lesson-status" + (done ? " done" : "");
  $("lesson-next").disabled = last || !done;
  $("lesson-back").disabled = lesson.step === 0;
  $("lesson-race").hidden = !step.race;
  if (step.race) $("lesson-race").textContent = `Race: ${step.race} steps each`;
  renderRace();
}

function renderRace() {
  const box = $("lesson-race-result");
  const r = lesson.race;
  box.hidden = !r;
  if (!r) return;
  box.innerHTML = "";
  const t = el("table", { class: "num race" });
  t.append(el("caption", {}, `${r.steps} steps each, from the same start, on the training points`));
  const head = el("tr");
  for (const h of ["method", "cost at the start", `cost after ${r.steps} steps`]) head.append(el("th", {}, h));
  t.append(head);
  for (const [key, name] of [["backpropagation", "backpropagation"], ["tweak_and_keep", "tweak and keep"]]) {
    const tr = el("tr", { "data-method": key });
    tr.append(el("th", {}, name), el("td", {}, fmt(r[key].start)), el("td", { "data-value": r[key].final }, fmt(r[key].final)));
    t.append(tr);
  }
  box.append(t);
  const kept = r.tweak_and_keep.details.accepted;
  if (kept !== undefined) box.append(el("p", { class: "small" }, `tweak and keep kept ${kept} of its ${r.steps} nudges`));
}

/** Start lesson `L`: its settings over the defaults, the activations it offers, the forward view. */
function start(L) {
  lesson.current = L; lesson.step = 0; lesson.refused = null; lesson.race = null;
  store.offer = (L.setup && L.setup.offer) || [];
  store.config = { ...JSON.parse(JSON.stringify(store.defaults)), ...JSON.parse(JSON.stringify(L.setup.config)) };
  clearErrors();
  actions.setView("forward");
  syncControls();
  sendConfig(true);
  render();
  $("lesson-text").focus();
}

function stop() {
  lesson.current = null;
  store.offer = [];
  syncControls();
  render();
}

/** Something happened (a message, a click): re-check the step. */
export function lessonTick() {
  if (lesson.current) render();
}

/** The server refused `field`: a lesson may be waiting for exactly that. */
export function lessonRefused(field) {
  if (!lesson.current) return;
  lesson.refused = field;
  render();
}

export function lessonRace(message) {
  lesson.race = message;
  render();
}

/** Load the lessons and wire the panel. `acts.setView(view)` comes from app.js. */
export async function bindLessons(acts) {
  actions = acts;
  lessons = (await (await fetch("/static/lessons.json")).json()).lessons;
  const list = $("lesson-list");
  lessons.forEach((L, i) => {
    const button = el("button", { "data-lesson": L.id }, `${i + 1}. ${L.title}`);
    button.onclick = () => start(L);
    const item = el("li");
    item.append(button);
    list.append(item);
  });
  $("lesson-next").onclick = () => { lesson.step += 1; render(); $("lesson-text").focus(); };
  $("lesson-back").onclick = () => { lesson.step -= 1; render(); $("lesson-text").focus(); };
  $("lesson-close").onclick = stop;
  $("lesson-race").onclick = () => {
    const step = lesson.current.steps[lesson.step];
    $("lesson-race").disabled = true;
    conn.send({ type: "race", steps: step.race });
  };
}

export function raceDone() {
  $("lesson-race").disabled = false;
}
