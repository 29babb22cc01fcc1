// glassnet playground: what the page holds. One store, imported by the modules that read or change it;
// nothing is put on `window`. The server owns the network; this is only the page's view of it.

export const store = {
  limits: null,          // the server's limits (/api/limits)
  defaults: null,        // the default settings
  activations: null,     // the activation names a hidden layer may use
  config: null,          // the settings as the page holds them (sent to the server on every change)
  data: null,            // the server's description of the data and the network ("data" message)
  frame: null,           // the latest frame
  weights: null,         // [{w: Float32Array, b: Float32Array}] decoded from the frame
  history: [],           // [{x: epoch, train, test}]
  playing: false,
  view: "forward",       // "forward" or "backward"
  backward: null,        // the latest backward message; its `trace` is glassnet's Trace.to_dict()
  selected: null,        // the chosen point, {part, index}
  traceStage: 0,         // the step-through's stage
  upload: null,          // summary of the uploaded file
  palette: [],           // one colour per class (class names that name a colour get it)
  hoverNeuron: null,     // {l, i}: the hidden neuron whose picture the plane shows large
  showTest: true,        // draw the test points
  discretize: false,     // paint each cell in its predicted class alone
  logScale: false,       // the cost chart's y axis
  reveal: false,         // scroll the backward view into sight when its numbers arrive
  hints: [],             // the server's hints about this run
  hide: [],              // the parts of the page a classroom link hides
  offer: [],             // activations a lesson offers besides the trainable ones (to show why one is refused)
};
