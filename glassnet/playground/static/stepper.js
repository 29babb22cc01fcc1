// glassnet playground: "Step through one example". The worked numbers of one gradient-descent step, a stage
// at a time in the order the engine computes them: what the numbers mean; forward, layer by layer; the cost;
// backward, from the output down (BP1, BP2); the gradients (BP3, BP4); the update. It is the walkthrough of
// glassnet's Trace.to_text(), written here from the trace record (Trace.to_dict()) in the backward message.
import { $, fmtG } from "./util.js";
import { store } from "./state.js";

const MAX_NEURONS = 6, MAX_WEIGHTS = 6, MAX_SAMPLES = 4, DIGITS = 6;

const num = (v) => fmtG(v, DIGITS);
const factor = (v) => { const t = num(v); return t.startsWith("-") ? `(${t})` : t; };   // a factor in a product
const limit = (count, max) => Math.max(0, Math.min(count, max));

/** One number per sample: a plain number for one sample, else a bracketed (shortened) list. */
function vals(list) {
  if (list.length === 1) return num(list[0]);
  const shown = limit(list.length, MAX_SAMPLES);
  const parts = list.slice(0, shown).map(num);
  if (shown < list.length) parts.push(`... ${list.length - shown} more`);
  return "[" + parts.join(", ") + "]";
}
/** A vector (a layer's values for one sample), shortened to MAX_WEIGHTS entries, optionally named. */
function row(values, names = null) {
  const shown = limit(values.length, MAX_WEIGHTS);
  const parts = values.slice(0, shown).map((v, k) => (names ? `${names[k]}=${num(v)}` : num(v)));
  if (shown < values.length) parts.push(`... ${values.length - shown} more`);
  return "[" + parts.join(", ") + "]";
}

function costFormula(name) {
  if (name === "mse") return "J = mean over samples and outputs of (a - y)^2";
  if (name === "binary_cross_entropy") return "J = -1/n sum [y ln a + (1 - y) ln(1 - a)]";
  if (name === "cross_entropy") return "J = -1/n sum y ln a";
  return "J";
}

/** The stages, [title, text], of the trace record `tr`. */
export function traceStages(tr) {
  const one = tr.n_samples === 1;
  const layers = tr.layers;
  const nOut = (lt) => lt.neurons.length + lt.neurons_omitted;
  const nIn = (lt) => lt.inputs[0].length;
  const title = (lt) => `layer ${lt.layer} (${nOut(lt)} ${nOut(lt) === 1 ? "neuron" : "neurons"}, ` +
    `${lt.activation}${lt.output ? ", output" : ""})`;
  // the neurons and weights a stage writes out, and how many it leaves out (the record's own omissions too)
  const neurons = (lt) => {
    const shown = lt.neurons.slice(0, limit(lt.neurons.length, MAX_NEURONS));
    return [shown, nOut(lt) - shown.length];
  };
  const weights = (n) => {
    const shown = n.weights.slice(0, limit(n.weights.length, MAX_WEIGHTS));
    return [shown, n.weights.length + n.weights_omitted - shown.length];
  };
  const moreNeurons = (lines, more) => { if (more) lines.push(`    ... ${more} more neurons`); };

  const sFormula = (lt, n) => {
    if (!one) return `s = ${vals(n.s)}`;
    const [ws, more] = weights(n);
    const terms = ws.map((w) => `${factor(w.value)}*${factor(lt.inputs[0][w.from])}`);
    if (more) terms.push(`... (${more} more terms)`);
    terms.push(factor(n.bias));
    return `s = ${terms.join(" + ")} = ${num(n.s[0])}`;
  };
  const received = (lt, n) => {     // BP2's sum for neuron j: w[j, m]*delta_m + ... = dJ/da_j
    const cs = n.contributions;
    const shown = limit(cs.length, MAX_WEIGHTS);
    const terms = cs.slice(0, shown).map((c) =>
      one ? `${factor(c.weight)}*${factor(c.delta[0])}` : `w[${n.neuron}, ${c.downstream_neuron}]*delta_${c.downstream_neuron}`);
    if (shown < cs.length) terms.push(`... (${cs.length - shown} more terms)`);
    return `${terms.join(" + ")} = ${vals(n.dcost_da)}`;
  };
  const inputsLine = () => {
    if (one) return `input a0 = ${row(tr.inputs[0], tr.input_names)}`;
    const shown = limit(tr.n_samples, MAX_SAMPLES);
    const rows = tr.inputs.slice(0, shown).map((x) => row(x, tr.input_names)).join("; ");
    const more = shown < tr.n_samples ? `; ... ${tr.n_samples - shown} more samples` : "";
    return `input a0 (${tr.n_samples} samples) = ${rows}${more}`;
  };

  const stages = [];
  const acts = tr.network.activations.join(", ");
  stages.push(["what the numbers mean", [
    `Worked numbers: one step of gradient descent on ${one ? "1 example" : `a batch of ${tr.n_samples} examples`}`,
    `network ${tr.network.sizes.join("-")} (${acts}), cost ${tr.network.cost}, learning rate ${num(tr.learning_rate)}`,
    "",
    "Layer l computes s_j = sum_k w[k, j] * a_k + b_j and a_j = f(s_j); a0 is the input.",
    "weights[k, j] joins neuron k of the layer below to neuron j: the tutorials write it w_jk.",
    "Layer l is net.layers[l - 1]; neurons count from 0, as in the arrays.",
  ]]);

  for (const lt of layers) {
    const lines = ["Forward", `  ${inputsLine()}`, `  ${title(lt)}`];
    const [ns, more] = neurons(lt);
    for (const n of ns) {
      const argument = one ? num(n.s[0]) : "s";
      const a = lt.activation === "softmax" ? `a = softmax(s)_${n.neuron} = ${vals(n.a)}`
        : `a = ${lt.activation}(${argument}) = ${vals(n.a)}`;
      lines.push(`    neuron ${n.neuron}: ${sFormula(lt, n)}   ${a}`);
    }
    moreNeurons(lines, more);
    stages.push([`forward, layer ${lt.layer}`, lines]);
  }

  const cost = ["Cost"];
  const shownSamples = one ? 1 : limit(tr.n_samples, MAX_SAMPLES);
  for (let i = 0; i < shownSamples; i++) {
    cost.push(`  ${one ? "" : `sample ${i}: `}output a = ${row(tr.outputs[i])}   target y = ${row(tr.targets[i])}`);
  }
  if (shownSamples < tr.n_samples) cost.push(`  ... ${tr.n_samples - shownSamples} more samples`);
  cost.push(`  ${tr.network.cost}: ${costFormula(tr.network.cost)} = ${num(tr.cost)}`);
  stages.push(["cost", cost]);

  const deltaNote = one ? "delta = dJ/ds" : `delta = dJ/ds, the 1/n of the batch mean included (n = ${tr.n_samples})`;
  for (const lt of [...layers].reverse()) {
    const lines = [`Backward (BP1, BP2): each neuron's error, ${deltaNote}`];
    const [ns, more] = neurons(lt);
    if (lt.output && lt.fused) {
      lines.push(`  ${title(lt)}, BP1 fused with ${tr.network.cost}: delta = (a - y) / n, f'(s) cancels`);
      for (const n of ns) {
        const formula = one ? `(${num(n.a[0])} - ${factor(tr.targets[0][n.neuron])}) / 1` : `(a - y) / ${tr.n_samples}`;
        lines.push(`    neuron ${n.neuron}: delta = ${formula} = ${vals(n.delta)}`);
      }
    } else if (lt.output) {
      lines.push(`  ${title(lt)}, BP1: delta = dJ/da * f'(s)`);
      for (const n of ns) {
        const product = one ? `${factor(n.dcost_da[0])} * ${factor(n.slope[0])} = ` : "";
        lines.push(`    neuron ${n.neuron}: dJ/da = ${vals(n.dcost_da)}   f'(s) = ${vals(n.slope)}   ` +
          `delta = ${product}${vals(n.delta)}`);
      }
    } else {
      const above = lt.layer + 1;
      lines.push(`  ${title(lt)}, BP2: delta_j = (sum_m w[j, m] * delta_m of layer ${above}) * f'(s_j)`);
      for (const n of ns) {
        lines.push(`    neuron ${n.neuron}: blame from layer ${above}: ${received(lt, n)}`);
        const product = one ? `${vals(n.dcost_da)} * ${vals(n.slope)} = ` : "";
        lines.push(`              f'(s) = ${vals(n.slope)}   delta = ${product}${vals(n.delta)}`);
      }
    }
    moreNeurons(lines, more);
    stages.push([`backward, layer ${lt.layer}`, lines]);
  }

  const summed = one ? "" : `, summed over the ${tr.n_samples} samples`;
  const grads = [`Gradients (BP3: dJ/db_j = delta_j, BP4: dJ/dw[k, j] = a_k * delta_j${summed})`];
  const lr = num(tr.learning_rate);
  const update = [`Update: p <- p - learning_rate * dJ/dp, learning rate ${lr} (the network is not changed)`];
  let shortened = false;
  for (const lt of layers) {
    grads.push(`  layer ${lt.layer}`);
    update.push(`  layer ${lt.layer}`);
    const [ns, more] = neurons(lt);
    for (const n of ns) {
      const j = n.neuron;
      grads.push(`    neuron ${j}: dJ/db = ${num(n.bias_gradient)}`);
      update.push(`    neuron ${j}: b = ${num(n.bias)} - ${lr} * ${factor(n.bias_gradient)} = ${num(n.new_bias)}`);
      const [ws, moreK] = weights(n);
      for (const w of ws) {
        const product = one ? `${factor(lt.inputs[0][w.from])} * ${factor(n.delta[0])} = ` : "";
        grads.push(`      dJ/dw[${w.from}, ${j}] = ${product}${num(w.gradient)}`);
        update.push(`      w[${w.from}, ${j}] = ${num(w.value)} - ${lr} * ${factor(w.gradient)} = ${num(w.new_value)}`);
      }
      if (moreK) for (const part of [grads, update]) part.push(`      ... ${moreK} more weights`);
      shortened = shortened || moreK > 0;
    }
    if (more) for (const part of [grads, update]) part.push(`    ... ${more} more neurons`);
    shortened = shortened || more > 0 || nIn(lt) > MAX_WEIGHTS;
  }
  if (shortened) update.push("", "(big layers shortened here; the tables above show more of them)");
  stages.push(["gradients", grads], ["update", update]);
  return stages.map(([name, lines]) => [name, lines.join("\n")]);
}

/** Show the current stage of store.backward's trace (or the hint to choose a point). */
export function renderTrace() {
  const back = store.backward;
  if (!back) { $("trace-body").textContent = "Choose a point on the output plane."; $("trace-stage").textContent = ""; return; }
  const stages = traceStages(back.trace);
  store.traceStage = Math.max(0, Math.min(store.traceStage, stages.length - 1));
  const [title, body] = stages[store.traceStage];
  $("trace-stage").textContent = `${store.traceStage + 1} / ${stages.length}: ${title}`;
  $("trace-body").textContent = body;
}
