// glassnet playground: the hints the server draws from the run (glassnet/playground/hints.py): what is going
// wrong, why, and a button that makes the one change it suggests through the page's own settings.
import { $, el } from "./util.js";
import { store } from "./state.js";
import { changed } from "./controls.js";

let shown = "";   // the hints on the page now (re-drawn only when they change: frames come 20 times a second)
const STICKY = ["oscillating", "rising"];   // once seen in a run, these stay until it starts again
let sticky = [];

/** The hints of a frame (`steps`: the run's steps; 0 is a fresh start, which forgets the sticky ones). */
export function renderHints(fresh, steps) {
  if (steps === 0) sticky = [];
  for (const h of fresh || []) if (STICKY.includes(h.id)) sticky = [h];
  const hints = [...sticky, ...(fresh || []).filter((h) => !STICKY.includes(h.id))];
  const key = JSON.stringify((hints || []).map((h) => [h.id, h.layer, h.action.label]));
  if (key === shown) return;
  shown = key;
  store.hints = hints || [];
  const box = $("hints");
  box.innerHTML = "";
  box.hidden = store.hints.length === 0;
  for (const h of store.hints) {
    const item = el("div", { class: "hint", "data-hint": h.id });
    const button = el("button", { class: "hint-action", "data-hint": h.id }, h.action.label);
    button.onclick = () => apply(h.action.change);
    item.append(el("b", {}, h.title + ". "), document.createTextNode(h.why + ". "), button);
    box.append(item);
  }
}

/** Make a hint's change: merge it into the settings and send them, as the controls would. */
function apply(change) {
  Object.assign(store.config, JSON.parse(JSON.stringify(change)));
  changed();
}
