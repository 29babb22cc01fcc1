// glassnet playground: the settings live in the URL hash, so a link restores them (uploaded files excepted),
// with the parts of the page a classroom link hides (`hide`).
import { store } from "./state.js";

export function configToHash(c, hide = store.hide) {
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
  p.set("l1", c.l1);
  if (c.features && c.features.join(",") !== "x1,x2") p.set("features", c.features.join(","));
  if (c.dataset === "draw" && c.points.length) {
    p.set("points", c.points.map((q) => `${q[0].toFixed(3)}:${q[1].toFixed(3)}:${q[2]}`).join(","));
  }
  if (hide && hide.length) p.set("hide", hide.join(","));
  return "#" + p.toString();
}

export function hashToConfig(hash, defaults) {
  const c = JSON.parse(JSON.stringify(defaults));
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const num = (k, f) => { if (p.has(k)) { const v = Number(p.get(k)); c[f] = Number.isFinite(v) ? v : p.get(k); } };
  if (p.has("data")) c.dataset = p.get("data");
  num("classes", "classes"); num("n", "samples"); num("noise", "noise"); num("test", "test_fraction");
  num("seed", "seed"); num("lr", "learning_rate"); num("batch", "batch_size"); num("l2", "l2"); num("l1", "l1");
  if (p.has("cost")) c.cost = p.get("cost");
  if (p.has("opt")) c.optimizer = p.get("opt");
  if (p.has("layers")) {
    const s = p.get("layers");
    c.layers = s === "" ? [] : s.split(",").map((part) => {
      const [u, a] = part.split(":");
      return { units: Number(u), activation: a || "tanh" };
    });
  }
  if (p.has("features")) c.features = p.get("features").split(",").filter(Boolean);
  if (p.has("points")) {
    c.points = p.get("points").split(",").filter(Boolean).map((q) => q.split(":").map(Number));
  }
  return c;
}

/** The parts of the page the hash hides (a classroom link's `hide=`). */
export function hashToHidden(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  return p.has("hide") ? p.get("hide").split(",").filter(Boolean) : [];
}
