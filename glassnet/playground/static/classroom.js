// glassnet playground: classroom links. `hide=` in the URL hash names parts of the page a teacher keeps out of
// sight (the learner sees only what the lesson needs); the share link carries it on. The "classroom link" box
// builds such a link.
import { $, el } from "./util.js";
import { store } from "./state.js";

/** What each name hides: the elements (by selector) that go out of sight. */
export const PARTS = {
  data: [".data-panel"],
  features: ["#features-row"],
  cost: ["label:has(> #cost)"],
  optimizer: ["label:has(> #optimizer)"],
  learning_rate: ["label:has(> #learning_rate)"],
  batch_size: ["label:has(> #batch_size)"],
  l2: ["label:has(> #l2)"],
  l1: ["label:has(> #l1)"],
  layers: ["#add-layer", "#remove-layer", "#layers"],
  views: [".view-toggle"],
  speed: ["label:has(> #speed)"],
  hints: ["#hints"],
  lessons: ["#lessons"],
  "take-home": [".take-home", "#take-home-title"],
};

/** Hide the parts named in `hide` (a list), and nothing else. */
export function applyHidden(hide) {
  store.hide = hide.filter((name) => name in PARTS);
  document.querySelectorAll("[data-classroom-hidden]").forEach((e) => {
    e.removeAttribute("data-classroom-hidden");
  });
  for (const name of store.hide) {
    for (const selector of PARTS[name]) {
      document.querySelectorAll(selector).forEach((e) => e.setAttribute("data-classroom-hidden", name));
    }
  }
}

/** The classroom box: a checkbox per part; the link below hides the parts checked. */
export function bindClassroom(linkFor) {
  const box = $("classroom-parts");
  for (const name of Object.keys(PARTS)) {
    const input = el("input", { type: "checkbox", value: name, id: `hide-${name}` });
    const label = el("label", { class: "inline" });
    label.append(input, document.createTextNode(` ${name.replace("_", " ")}`));
    box.append(label);
    input.onchange = () => update();
  }
  const update = () => {
    const hide = Object.keys(PARTS).filter((name) => $(`hide-${name}`).checked);
    $("classroom-link").value = linkFor(hide);
  };
  $("classroom").addEventListener("toggle", update);
}
