"""Look inside a network: the worked numbers of one step (trace) and who gets the error (blame).

Both read the arrays the engine computed; there is no second, "teaching" implementation of the maths. The
package is split by purpose:

- :mod:`.trace`: the :class:`Trace` record of one gradient-descent step, :func:`trace` and :func:`explain`;
- :mod:`.blame`: the :class:`Blame` record of a batch, and :func:`blame`;
- :mod:`.render` (shared), :mod:`.render_text`, :mod:`.render_markdown`, :mod:`.render_html`: the views,
  which read only the records and compute nothing;
- :mod:`.demo`: Matt Mazur's published 2-2-2 worked example as a network, and the lessons' 5-3-2-1
  tutorial network (:func:`tutorial_network`);
- :mod:`.notebook`: the HTML views Jupyter shows.

Notation as in :mod:`glassnet.network`: layer l computes ``s = a_{l-1} @ W + b`` and ``a = f(s)``; ``a_0``
is the input. ``weights[k, j]`` joins neuron k of the layer below to neuron j, the tutorials' ``w_jk``.
``delta = dJ/ds``, the 1/n of the batch mean included (for one example, n = 1).
"""

from .blame import Blame, blame
from .demo import (
    DEMO_BIASES,
    DEMO_INPUT,
    DEMO_LEARNING_RATE,
    DEMO_TARGET,
    DEMO_WEIGHTS,
    TUTORIAL_BIASES,
    TUTORIAL_INPUT,
    TUTORIAL_TARGET,
    TUTORIAL_WEIGHTS,
    demo_example,
    demo_network,
    explain_demo,
    tutorial_example,
    tutorial_network,
)
from .trace import LayerTrace, Trace, explain, trace

__all__ = [
    "LayerTrace",
    "Trace",
    "trace",
    "explain",
    "demo_network",
    "demo_example",
    "explain_demo",
    "Blame",
    "blame",
    "DEMO_LEARNING_RATE",
    "DEMO_WEIGHTS",
    "DEMO_BIASES",
    "DEMO_INPUT",
    "DEMO_TARGET",
    "tutorial_network",
    "tutorial_example",
    "TUTORIAL_WEIGHTS",
    "TUTORIAL_BIASES",
    "TUTORIAL_INPUT",
    "TUTORIAL_TARGET",
]
