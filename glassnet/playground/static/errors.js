// glassnet playground: the error banner, the complaints beside the fields, and passing notices.
import { $ } from "./util.js";

/** Show the server's (or the page's) complaint about `field` in the banner and beside that field; `action`
 * ({label, run}) adds a button to the banner that offers the way out (e.g. Reset after a diverging run). */
export function showError(field, message, action = null) {
  const banner = $("error");
  banner.textContent = message;
  if (action) {
    const button = document.createElement("button");
    button.id = "error-action";
    button.textContent = action.label;
    button.onclick = action.run;
    banner.append(" ", button);
  }
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

export function clearErrors() {
  $("error").hidden = true;
  $("error").textContent = "";
  document.querySelectorAll(".field-error").forEach((p) => (p.textContent = ""));
  document.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
  document.querySelectorAll(".card-error").forEach((e) => (e.textContent = ""));
}

let noticeTimer = null;
export function notice(message, ms = 3000) {
  const n = $("notice");
  n.textContent = message;
  n.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (n.hidden = true), ms);
}

/** The connection's status line ("" hides it). */
export function setStatus(text) {
  if (text) notice(text, 60000); else $("notice").hidden = true;
}
