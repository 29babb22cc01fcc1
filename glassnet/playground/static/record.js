// glassnet playground: reading glassnet's trace record, the dict of `Trace.to_dict()` that the server sends in
// the backward message. Its layers list neurons; each neuron holds its per-sample lists (s, a, delta, ...),
// its bias and gradient, and its incoming weights. These helpers turn one layer into columns for one sample
// (the playground traces one example, sample 0), as the tables and the diagram draw them. Nothing is parsed:
// every number shown is the record's own.

/** Layer `layer` of the record for sample `i`: one entry per neuron (weights[k][j]: neuron k below to j). */
export function layerColumns(layer, i = 0) {
  const ns = layer.neurons;
  const each = (f) => ns.map(f);
  const rows = ns.length ? ns[0].weights.map((w, r) => r) : [];
  const matrix = (key) => rows.map((r) => ns.map((n) => n.weights[r][key]));
  return {
    number: layer.layer,
    activation: layer.activation,
    output: layer.output,
    fused: layer.fused,
    inputs: layer.inputs[i],                        // a_{l-1}
    from: rows.map((r) => ns[0].weights[r].from),   // the neuron below each weight row comes from
    s: each((n) => n.s[i]),
    a: each((n) => n.a[i]),
    slope: ns.every((n) => n.slope === null) ? null : each((n) => (n.slope === null ? null : n.slope[i])),
    delta: each((n) => n.delta[i]),
    bias: each((n) => n.bias),
    gradBias: each((n) => n.bias_gradient),         // BP3
    newBias: each((n) => n.new_bias),
    weights: matrix("value"),
    gradWeights: matrix("gradient"),                // BP4
    newWeights: matrix("new_value"),
    neuronsOmitted: layer.neurons_omitted,
    weightsOmitted: ns.length ? ns[0].weights_omitted : 0,
  };
}

/** The example's target as the data names it: a class number (classification) or the number to predict. */
export function targetLabel(trace, task, i = 0) {
  const t = trace.targets[i];
  if (task !== "classification") return t[0];
  if (t.length === 1) return Math.round(t[0]);     // one sigmoid output: the target is the class, 0 or 1
  return t.indexOf(Math.max(...t));                 // one-hot over the classes
}
