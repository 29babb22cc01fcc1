"""Who gets the error, over a batch: the :class:`Blame` record and :func:`blame`.

:func:`blame` measures, over a batch, each neuron's mean ``|delta|`` and, for each neuron j, how much of
its input comes from each upstream neuron k, as the mean of ``|w[k, j] * a_k|``: the tutorials'
"a neuron blames the most active upstream neurons", made measurable. Beside each share it keeps the two
factors of BP4, ``dJ/dw[k, j] = a_k * delta_j``: the input's mean ``|a_k|`` and the mean ``|a_k * delta_j|``,
the size of the tweak the weight gets from one example, which is why the active inputs' weights are the ones
that learn. It also counts how often each hidden neuron is active (its slope ``f'(s)`` is not 0, so blame
passes through it): a neuron never active on the batch is *dead* (delta = 0 for every example, so none of its
weights ever moves) and one active on fewer than ``lazy`` of the examples is *lazy*. It reads the arrays the
engine kept (``s``, ``a``, ``delta``, ``a_prev``); :meth:`Blame.to_dict` is the record its text and HTML
renderers read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from ..errors import InputError, InputTypeError
from ..network import Network
from ..validation import check_positive
from .render import plain_list, plain_number
from .render_html import blame_html
from .render_text import blame_text
from .trace import kept, names_of_classes, names_of_inputs

__all__ = ["Blame", "blame"]


@dataclass
class Blame:
    """Each neuron's mean error over a batch, and the upstream neurons its input comes from.

    Lists have one entry per layer (index 0 is layer 1, ``net.layers[0]``).

    Attributes
    ----------
    mean_abs_delta : per layer, (n_out,): the mean over the examples of ``|dJ_i/ds|``, where ``J_i`` is
        the cost of example i alone (so it does not shrink as the batch grows; it equals what
        :func:`trace` shows as delta for that one example).
    contributions : per layer, (n_in, n_out): ``contributions[k, j]`` is the mean over the examples of
        ``|w[k, j] * a_k|``, how much upstream neuron k (or input k, for layer 1) feeds neuron j.
    top : per layer, (n_out, top_k) integer array: for each neuron, its upstream neurons ``k`` ranked by
        ``contributions[k, j]``, largest first.
    mean_abs_inputs : per layer, (n_in,): the mean over the examples of ``|a_k|``, the input of layer l.
    mean_abs_gradient : per layer, (n_in, n_out): the mean over the examples of ``|a_k * delta_j|``, the size
        of one example's BP4 gradient ``dJ_i/dw[k, j]``.
    active_fraction : per layer, (n_out,): the fraction of the examples on which the neuron's slope
        ``f'(s)`` is not 0; None for the output layer.
    lazy : the fraction of examples under which an active-sometimes hidden neuron counts as lazy.
    """

    n_samples: int
    sizes: list[int]
    activations: list[str]
    mean_abs_delta: list[np.ndarray]
    contributions: list[np.ndarray]
    top: list[np.ndarray]
    input_names: list[str] | None = None
    top_k: int = 3
    mean_abs_inputs: list[np.ndarray] | None = None
    mean_abs_gradient: list[np.ndarray] | None = None
    active_fraction: list[np.ndarray | None] | None = None
    lazy: float = 0.05
    class_names: list[str] | None = None
    _shares: list[np.ndarray] | None = field(default=None, repr=False)

    @property
    def shares(self) -> list[np.ndarray]:
        """``contributions`` as fractions of each neuron's total (columns sum to 1; 0 where all are 0)."""
        if self._shares is None:
            result = []
            for c in self.contributions:
                total = c.sum(axis=0, keepdims=True)
                result.append(np.divide(c, total, out=np.zeros_like(c), where=total > 0))
            self._shares = result
        return self._shares

    def ranking(self, layer: int, neuron: int) -> list[tuple[int, float, float]]:
        """``[(k, mean |w[k, j] a_k|, share), ...]`` for neuron ``neuron`` of layer ``layer`` (1-based)."""
        if not 1 <= layer <= len(self.contributions):
            raise InputError(f"layer must be 1..{len(self.contributions)}, got {layer}")
        index = layer - 1
        if not 0 <= neuron < self.contributions[index].shape[1]:
            raise InputError(
                f"layer {layer} has neurons 0..{self.contributions[index].shape[1] - 1}, got {neuron}"
            )
        c, share = self.contributions[index], self.shares[index]
        return [(int(k), float(c[k, neuron]), float(share[k, neuron])) for k in self.top[index][neuron]]

    def dead(self, layer: int) -> list[int]:
        """The neurons of hidden layer ``layer`` (1-based) never active on the examples: ``f'(s) = 0`` for all."""
        fraction = self._activity(layer)
        return [] if fraction is None else [int(j) for j in np.flatnonzero(fraction == 0)]

    def lazy_neurons(self, layer: int) -> list[int]:
        """The neurons of hidden layer ``layer`` active on some examples, but on fewer than ``lazy`` of them."""
        fraction = self._activity(layer)
        return [] if fraction is None else [int(j) for j in np.flatnonzero((fraction > 0) & (fraction < self.lazy))]

    def _activity(self, layer: int) -> np.ndarray | None:
        if not 1 <= layer <= len(self.contributions):
            raise InputError(f"layer must be 1..{len(self.contributions)}, got {layer}")
        return None if self.active_fraction is None else self.active_fraction[layer - 1]

    def _upstream_name(self, index: int, k: int) -> str:
        if index == 0:
            return self.input_names[k] if self.input_names else f"x{k}"
        return str(k)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return (f"Blame(network {'-'.join(map(str, self.sizes))}, {self.n_samples} examples; print() it for the "
                "tables)")

    def _repr_html_(self) -> str:
        """Jupyter's view: the table per layer and a bar of mean |delta| per neuron."""
        from .notebook import blame_view_html

        return blame_view_html(self)

    def to_text(self, full: bool = False, max_neurons: int | None = 10, digits: int = 4) -> str:
        """A table per layer, output first: each neuron's mean |delta| and its most-blamed upstream neurons.

        Neurons are listed from the largest mean |delta| down; big layers show ``max_neurons`` of them.
        """
        return blame_text(self.to_dict(json_safe=False), full=full, max_neurons=max_neurons, digits=digits)

    def to_html(self, max_neurons: int = 20) -> str:
        """A ``<table>`` per layer, output first (the report's form): mean |delta| and input shares."""
        return blame_html(self.to_dict(json_safe=False), max_neurons=max_neurons)

    def to_dict(self, json_safe: bool = True) -> dict[str, Any]:
        """Everything as plain Python data; with ``json_safe`` (the default) strict-JSON-able.

        ``json_safe=False`` keeps non-finite numbers as ``nan`` / ``inf`` floats (the renderers read that
        form, so a diverged network shows them as they are); otherwise they become None. Layers count from
        1, neurons and inputs from 0::

            n_samples      how many examples were measured
            sizes          [n_inputs, ..., n_outputs]
            activations    [name of f per layer]
            input_names    [name per input], or None
            class_names    [class name per output neuron], or None
            top_k          how many upstream neurons each ranking holds (at most)
            layers         per layer, the first hidden layer first:
              layer            l (net.layers[l - 1])
              activation       the name of f
              output           whether it is the output layer
              upstream_names   per upstream neuron k: its name (the input's name, or "x<k>", for layer 1;
                               "<k>" above)
              mean_abs_delta   per neuron j: the mean over the examples of |dJ_i/ds_j|
              contributions    per upstream neuron k, per neuron j: the mean of |w[k, j] * a_k|
              neurons_by_blame the neurons j, the largest mean |delta| first (ties in index order)
              top              per neuron j, its top_k upstream neurons, largest contribution first:
                               {upstream: k, name: upstream_names[k], value: contributions[k][j],
                               share: value / the sum of j's contributions (0 when that sum is 0),
                               a_k: the mean |a_k|, delta_j: neuron j's mean |delta|, gradient: the mean
                               |a_k * delta_j| (BP4's dJ/dw[k, j] for one example)}
              mean_abs_inputs  per upstream neuron k: the mean |a_k|
              active_fraction  per neuron j: the fraction of examples with f'(s_j) != 0 (None at the output)
              dead, lazy       the neurons never active, and those active on fewer than ``lazy`` of the examples
            lazy           that fraction
        """
        layers = []
        last = len(self.contributions) - 1
        for index, (mad, c) in enumerate(zip(self.mean_abs_delta, self.contributions, strict=True)):
            names = [self._upstream_name(index, k) for k in range(c.shape[0])]
            inputs = None if self.mean_abs_inputs is None else self.mean_abs_inputs[index]
            gradient = None if self.mean_abs_gradient is None else self.mean_abs_gradient[index]
            active = None if self.active_fraction is None else self.active_fraction[index]

            def factors(k: int, j: int, inputs: Any = inputs, gradient: Any = gradient, mad: Any = mad) -> dict:
                return {
                    "a_k": None if inputs is None else plain_number(inputs[k], json_safe),
                    "delta_j": plain_number(mad[j], json_safe),
                    "gradient": None if gradient is None else plain_number(gradient[k, j], json_safe),
                }

            layers.append(
                {
                    "layer": index + 1,
                    "activation": self.activations[index],
                    "output": index == last,
                    "upstream_names": names,
                    "mean_abs_delta": plain_list(mad, json_safe),
                    "contributions": [plain_list(row, json_safe) for row in c],
                    "neurons_by_blame": [int(j) for j in np.argsort(-mad, kind="stable")],
                    "top": [
                        [
                            {
                                "upstream": k,
                                "name": names[k],
                                "value": plain_number(v, json_safe),
                                "share": plain_number(s, json_safe),
                                **factors(k, j),
                            }
                            for k, v, s in self.ranking(index + 1, j)
                        ]
                        for j in range(c.shape[1])
                    ],
                    "mean_abs_inputs": None if inputs is None else plain_list(inputs, json_safe),
                    "active_fraction": None if active is None else plain_list(active, json_safe),
                    "dead": self.dead(index + 1),
                    "lazy": self.lazy_neurons(index + 1),
                }
            )
        return {
            "n_samples": self.n_samples,
            "sizes": list(self.sizes),
            "activations": list(self.activations),
            "input_names": self.input_names,
            "class_names": self.class_names,
            "top_k": self.top_k,
            "lazy": self.lazy,
            "layers": layers,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as strict JSON (no NaN or Infinity)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)


def blame(
    net: Network,
    X: object,
    Y: object,
    top_k: int = 3,
    input_names: list[str] | None = None,
    chunk_rows: int = 4096,
    lazy: float = 0.05,
    class_names: list[str] | None = None,
) -> Blame:
    """Each neuron's mean |delta| over (X, Y) and, per neuron, the upstream neurons ranked by mean |w a|.

    ``class_names`` (one per output neuron) name the output neurons by class in the views.

    Runs the engine's forward propagation and backpropagation on the batch (in slices of ``chunk_rows``
    rows) and reads each layer's ``delta`` and ``a_prev``. The engine's delta carries the 1/m of a slice's
    mean; it is multiplied back, so ``mean_abs_delta`` is per example. The weights are not changed. It also
    measures the factors of BP4 (mean ``|a_k|`` and mean ``|a_k * delta_j|``) and how often each hidden
    neuron is active (``f'(s) != 0``): never is dead, on fewer than ``lazy`` of the examples is lazy.
    """
    if not isinstance(net, Network):
        raise InputTypeError(f"blame needs a glassnet Network, got {type(net).__name__}")
    top_k = cast(int, check_positive("top_k", top_k, integer=True))
    chunk_rows = cast(int, check_positive("chunk_rows", chunk_rows, integer=True))
    lazy = cast(float, check_positive("lazy", lazy))
    if lazy > 1:
        raise InputError(f"lazy is a fraction of the examples, at most 1, got {lazy!r}")
    X, Y = net.check_XY(X, Y)
    if len(X) == 0:
        raise InputError("blame needs at least one example")
    input_names = names_of_inputs(net, input_names)
    class_names = names_of_classes(net, class_names)
    net.check_trainable()
    sum_abs_delta = [np.zeros(layer.n_out) for layer in net.layers]
    sum_abs_input = [np.zeros(layer.n_in) for layer in net.layers]
    sum_abs_gradient = [np.zeros((layer.n_in, layer.n_out)) for layer in net.layers]
    hidden = range(len(net.layers) - 1)
    active = [np.zeros(net.layers[index].n_out) for index in hidden]
    for start in range(0, len(X), chunk_rows):
        xb, yb = X[start : start + chunk_rows], Y[start : start + chunk_rows]
        net.propagate(xb)
        net.backpropagate(yb)
        rows = len(xb)
        for index, layer in enumerate(net.layers):
            # delta holds dJ/ds of the slice's mean cost, 1/rows of each example's own dJ_i/ds
            sum_abs_delta[index] += np.abs(kept(layer.delta)).sum(axis=0, dtype=np.float64) * rows
            sum_abs_input[index] += np.abs(kept(layer.a_prev)).sum(axis=0, dtype=np.float64)
            # BP4 for each example on its own: |dJ_i/dw[k, j]| = |a_ik| * |dJ_i/ds_ij|, summed over the examples
            abs_input = np.abs(kept(layer.a_prev)).astype(np.float64)
            sum_abs_gradient[index] += abs_input.T @ (np.abs(kept(layer.delta)).astype(np.float64) * rows)
            if index in hidden:  # active: the slope f'(s) is not 0, so blame passes through the neuron
                active[index] += np.count_nonzero(layer.activation.slope(kept(layer.s), kept(layer.a)), axis=0)
    n = len(X)
    mean_abs_delta = [total / n for total in sum_abs_delta]
    # mean_i |w[k, j] a_ik| = |w[k, j]| * mean_i |a_ik|
    contributions = [
        np.abs(kept(layer.weights).astype(np.float64)) * (total / n)[:, np.newaxis]
        for layer, total in zip(net.layers, sum_abs_input, strict=True)
    ]
    top = [np.argsort(-c, axis=0, kind="stable")[: min(top_k, c.shape[0])].T.copy() for c in contributions]
    return Blame(
        n_samples=n,
        sizes=net.sizes,
        activations=[layer.activation.name for layer in net.layers],
        mean_abs_delta=mean_abs_delta,
        contributions=contributions,
        top=top,
        input_names=input_names,
        top_k=top_k,
        mean_abs_inputs=[total / n for total in sum_abs_input],
        mean_abs_gradient=[total / n for total in sum_abs_gradient],
        active_fraction=[*(count / n for count in active), None],
        lazy=lazy,
        class_names=class_names,
    )
