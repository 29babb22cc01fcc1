"""A glassnet network as an ONNX graph: ``to_onnx(model, path)``, for onnxruntime and every ONNX runtime.

The graph is forward propagation, layer by layer, as glassnet computes it::

    s_l = a_{l-1} @ W_l + b_l      MatMul, then Add
    a_l = f(s_l)                   Sigmoid, Tanh, Relu, LeakyRelu, Atan, Softplus, Softmax (axis 1), Identity

with ``a_0 = X`` (input ``"X"``, shape ``(N, n_inputs)``, in the network's dtype: float32 or float64).
A standardization of the inputs, ``(X - mean) / scale``, comes first, computed in float64 as glassnet does
(then cast to the network's dtype); a standardized regression target is undone at the end,
``y = a * scale + mean``, in float64 too.

Outputs follow scikit-learn's ONNX converters (skl2onnx, with ``zipmap=False``):

- regression (``mse``): ``"variable"``, float, ``(N, n_outputs)``;
- classification: ``"label"``, ``(N,)``, the predicted class (int64 for whole-number labels and for a
  Network without class names, where it is the class index; string for text labels; double for other
  numbers; bool for bool labels), and ``"probabilities"``, float, ``(N, n_classes)`` in the order of the
  classes: ``[1 - p, p]`` for one sigmoid output. For a multilabel classifier (one sigmoid per label)
  ``"label"`` is the int64 indicator matrix ``(N, n_labels)``, ``p > 0.5``.

onnxruntime's CPU kernels have no float64 Atan or Softplus, so in a float64 graph they are spelled with ops it
has: ``softplus(s) = max(s, 0) + ln(1 + e^-|s|)`` and arctan by range reduction and its odd series (exact to
about 2e-16); leaky_relu as ``max(s, alpha s)``, as LeakyRelu's ``alpha`` attribute is only float32.
The step activation, and any activation that is not glassnet's own, are refused.
"""

from __future__ import annotations

import os
import pathlib
from typing import Any

import numpy as np

from ..errors import InputError
from ..fileio import atomic_write_bytes
from ._common import check_exportable, network_of, require, scaling

__all__ = ["to_onnx", "OPSET"]

OPSET = 17  # onnxruntime >= 1.17 runs it; Softmax's axis means one axis from opset 13 on
_IR_VERSION = 8  # the IR version of opset 17, so older runtimes read the file too
_ARCTAN_TERMS = 13  # odd series terms: |t|^27 / 27 < 2e-17 for |t| <= tan(pi/12)


def _onnx() -> Any:
    return require("onnx", "onnx", "ONNX export")


class _Graph:
    """The nodes and constants of one graph, with fresh names."""

    def __init__(self, dtype: np.dtype) -> None:
        onnx = _onnx()
        self.onnx = onnx
        self.helper = onnx.helper
        self.dtype = dtype
        self.elem = onnx.TensorProto.FLOAT if dtype == np.float32 else onnx.TensorProto.DOUBLE
        self.nodes: list[Any] = []
        self.constants: list[Any] = []
        self._count = 0

    def _name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, value: Any, dtype: Any = None) -> str:
        array = np.asarray(value, dtype=dtype if dtype is not None else self.dtype)
        name = self._name(hint)
        self.constants.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def op(self, op_type: str, *inputs: str, output: str | None = None, **attributes: Any) -> str:
        out = output or self._name(op_type.lower())
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [out], name=self._name(op_type), **attributes))
        return out

    # -- activations --------------------------------------------------------------------------------------
    def activation(self, activation: Any, s: str, layer: int) -> str:
        name = activation.name
        double = self.dtype == np.float64
        if name == "identity":
            return self.op("Identity", s, output=f"a{layer}")
        if name == "sigmoid":
            return self.op("Sigmoid", s, output=f"a{layer}")
        if name == "tanh":
            return self.op("Tanh", s, output=f"a{layer}")
        if name == "relu":
            return self.op("Relu", s, output=f"a{layer}")
        if name == "leaky_relu":
            if not double:
                return self.op("LeakyRelu", s, output=f"a{layer}", alpha=float(activation.alpha))
            # LeakyRelu's alpha is a float32 attribute; max(s, alpha s) keeps alpha's float64 value
            return self.op("Max", s, self.op("Mul", s, self.const("alpha", activation.alpha)), output=f"a{layer}")
        if name == "softmax":
            return self.op("Softmax", s, output=f"a{layer}", axis=1)
        if name == "softplus":
            if not double:
                return self.op("Softplus", s, output=f"a{layer}")
            # max(s, 0) + ln(1 + e^-|s|): no exp can overflow
            tail = self.op("Log", self.op("Add", self.const("one", 1.0),
                                          self.op("Exp", self.op("Neg", self.op("Abs", s)))))
            return self.op("Add", self.op("Relu", s), tail, output=f"a{layer}")
        if name == "arctan":
            if not double:
                return self.op("Atan", s, output=f"a{layer}")
            return self._arctan64(s, f"a{layer}")
        raise InputError(f"no ONNX form for the activation {name!r}")  # check_exportable refused it already

    def _arctan64(self, s: str, output: str) -> str:
        """arctan in float64 from Add/Mul/Div/Where: reduce |s| to t <= tan(pi/12), then the odd series.

        arctan(x) = sign(x) (pi/2 - arctan(1/|x|)) for |x| > 1, arctan(u) = pi/6 + arctan((u sqrt3 - 1) /
        (u + sqrt3)) for u > tan(pi/12), and arctan(t) = sum_k (-1)^k t^(2k+1) / (2k+1) for small t.
        """
        one = self.const("one", 1.0)
        x = self.op("Abs", s)
        big = self.op("Greater", x, one)
        u = self.op("Where", big, self.op("Div", one, self.op("Max", x, one)), x)  # Max: no 1/0 where unused
        tan15 = self.const("tan15", 2.0 - np.sqrt(3.0))
        sqrt3 = self.const("sqrt3", np.sqrt(3.0))
        mid = self.op("Greater", u, tan15)
        shifted = self.op("Div", self.op("Sub", self.op("Mul", u, sqrt3), one), self.op("Add", u, sqrt3))
        t = self.op("Where", mid, shifted, u)
        t2 = self.op("Mul", t, t)
        series = self.const("c", (-1.0) ** (_ARCTAN_TERMS - 1) / (2 * _ARCTAN_TERMS - 1))
        for k in range(_ARCTAN_TERMS - 2, -1, -1):  # Horner in t^2
            series = self.op("Add", self.op("Mul", series, t2), self.const("c", (-1.0) ** k / (2 * k + 1)))
        r = self.op("Mul", series, t)
        r = self.op("Where", mid, self.op("Add", r, self.const("pi6", np.pi / 6)), r)
        r = self.op("Where", big, self.op("Sub", self.const("pi2", np.pi / 2), r), r)
        return self.op("Mul", r, self.op("Sign", s), output=output)

    # -- standardization ----------------------------------------------------------------------------------
    def affine64(self, a: str, mean: np.ndarray, scale: np.ndarray, inverse: bool, output: str) -> str:
        """``(a - mean) / scale`` (or ``a * scale + mean``) in float64, as glassnet computes it."""
        double = self.onnx.TensorProto.DOUBLE
        if self.dtype != np.float64:
            a = self.op("Cast", a, to=double)
        m, c = self.const("mean", mean, np.float64), self.const("scale", scale, np.float64)
        if inverse:
            a = self.op("Add", self.op("Mul", a, c), m)
        else:
            a = self.op("Div", self.op("Sub", a, m), c)
        if self.dtype != np.float64:
            return self.op("Cast", a, output=output, to=self.elem)
        return self.op("Identity", a, output=output)


def _label_constant(classes: Any) -> tuple[np.ndarray, Any]:
    """Class labels as an ONNX constant and its element type, as skl2onnx gives them."""
    onnx = _onnx()
    array = np.asarray(classes)
    if array.dtype.kind in "iu":
        if array.size and (array.max() > np.iinfo(np.int64).max):
            raise InputError("class labels above 2^63 - 1 have no ONNX int64 form; relabel the classes")
        return array.astype(np.int64), onnx.TensorProto.INT64
    if array.dtype.kind == "b":
        return array, onnx.TensorProto.BOOL
    if array.dtype.kind == "f":
        if np.all(array == np.round(array)) and np.all(np.abs(array) < 2**53):
            return array.astype(np.int64), onnx.TensorProto.INT64  # skl2onnx's choice for whole-number floats
        return array.astype(np.float64), onnx.TensorProto.DOUBLE
    values = array.tolist()
    if all(isinstance(v, str) for v in values):
        return np.array([v.encode("utf-8") for v in values], dtype=object), onnx.TensorProto.STRING
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64), onnx.TensorProto.INT64
    raise InputError(
        f"the class labels {values[:5]!r} mix types; ONNX needs one label type: relabel them as all text or all numbers"
    )


def to_onnx(
    model: Any,
    path: str | os.PathLike[str] | None = None,
    *,
    inputs: Any = None,
    target: Any = None,
    classes: Any = None,
) -> Any:
    """The ONNX graph of ``model`` (a Network, or a fitted MLPClassifier/MLPRegressor); written to ``path``.

    Parameters
    ----------
    model : the network (or estimator) to export; see the module docstring for the graph and its outputs.
    path : where to write the ``.onnx`` file (atomically; an existing file is replaced). None: only return it.
    inputs : the inputs' standardization, ``(X - mean) / scale``, folded into the graph: a fitted
        :class:`~glassnet.datasets.Standardizer` or ``{"mean": [...], "scale": [...]}``.
    target : a regression target's standardization, undone in the graph (``a * scale + mean``).
    classes : for a classification Network, the class labels (one per class, in output order); the
        ``"label"`` output then gives them instead of the class index. An estimator uses its ``classes_``.

    Returns the ``onnx.ModelProto`` (checked with ``onnx.checker``).
    """
    onnx = _onnx()
    net, estimator = network_of(model)
    check_exportable(net, "ONNX")
    standardize = scaling("inputs", inputs, net.n_inputs)
    unscale = scaling("target", target, net.n_outputs)
    cost = net.cost_function
    classification = cost.is_classification
    label_type = None
    if estimator is not None and classification:
        classes, label_type = estimator.classes_, estimator._label_type
    elif classification:
        label_type = "multiclass" if cost.fused_with == "softmax" else "binary" if net.n_outputs == 1 else "multilabel"
    if unscale is not None and classification:
        raise InputError("target standardization applies to regression; a classifier's outputs are probabilities")
    if classes is not None and not classification:
        raise InputError("classes apply to a classification network; this one's cost is " + repr(cost.name))
    n_classes = 2 if label_type == "binary" else net.n_outputs
    if classes is not None and label_type != "multilabel-indicator" and len(classes) != n_classes:
        raise InputError(f"classes lists {len(classes)} labels; the network has {n_classes} classes")

    graph = _Graph(net.dtype)
    helper = graph.helper
    a = "X"
    if standardize is not None:
        a = graph.affine64(a, *standardize, inverse=False, output="X_standardized")
    for number, layer in enumerate(net.layers, start=1):
        weights = graph.const(f"W{number}", layer.weights)
        bias = graph.const(f"b{number}", layer.bias)
        s = graph.op("Add", graph.op("MatMul", a, weights), bias, output=f"s{number}")
        a = graph.activation(layer.activation, s, number)

    outputs = []
    if not classification:
        if unscale is not None:
            graph.affine64(a, *unscale, inverse=True, output="variable")
        else:
            graph.op("Identity", a, output="variable")
        outputs.append(helper.make_tensor_value_info("variable", graph.elem, [None, net.n_outputs]))
    elif label_type in ("multilabel", "multilabel-indicator"):
        graph.op("Cast", graph.op("Greater", a, graph.const("half", 0.5)), output="label", to=onnx.TensorProto.INT64)
        graph.op("Identity", a, output="probabilities")
        outputs.append(helper.make_tensor_value_info("label", onnx.TensorProto.INT64, [None, net.n_outputs]))
        outputs.append(helper.make_tensor_value_info("probabilities", graph.elem, [None, net.n_outputs]))
    else:
        if label_type == "binary":
            graph.op("Concat", graph.op("Sub", graph.const("one", 1.0), a), a, output="probabilities", axis=1)
            above = graph.op("Cast", graph.op("Greater", a, graph.const("half", 0.5)), to=onnx.TensorProto.INT64)
            index = graph.op("Reshape", above, graph.const("flat", [-1], np.int64))
        else:
            graph.op("Identity", a, output="probabilities")
            index = graph.op("ArgMax", a, axis=1, keepdims=0)  # the first largest, as numpy's argmax
        label_elem = onnx.TensorProto.INT64
        if classes is None:
            graph.op("Identity", index, output="label")
        else:
            labels, label_elem = _label_constant(classes)
            graph.op("Gather", graph.const("classes", labels, labels.dtype), index, output="label", axis=0)
        outputs.append(helper.make_tensor_value_info("label", label_elem, [None]))
        outputs.append(helper.make_tensor_value_info("probabilities", graph.elem, [None, n_classes]))

    acts = ", ".join(layer.activation.name for layer in net.layers)
    onnx_graph = helper.make_graph(
        graph.nodes, "glassnet", [helper.make_tensor_value_info("X", graph.elem, [None, net.n_inputs])], outputs,
        initializer=graph.constants,
        doc_string=f"glassnet network: sizes {net.sizes}, activations [{acts}], cost {cost.name}",
    )
    proto = helper.make_model(onnx_graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="glassnet",
                              producer_version=_version())
    proto.ir_version = _IR_VERSION
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        atomic_write_bytes(pathlib.Path(path), proto.SerializeToString(), error=InputError)
    return proto


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("glassnet")
    except PackageNotFoundError:
        return "0+unknown"
