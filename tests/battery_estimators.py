"""The estimator battery of issue 17: fit/partial_fit/predict/score/set_params of MLPClassifier and MLPRegressor
with bad X, y, sample_weight, class_weight and parameters, sparse and DataFrame inputs, and refits of fitted
estimators that must be refused without changing them. Data for :mod:`battery` (see there); not collected.

The bad X are test_bad_input's ``bad_x_cases``; the refused refits are test_attacks' cases.
"""

from __future__ import annotations

import numpy as np
from battery import Entry, _with


def _e(name, call, subject, words=(), xfail=None) -> Entry:
    """An estimator entry: glassnet's errors, or scikit-learn's ValueError (its validation's, whose messages say
    what is wrong; the drop-in contract check_estimator tests), count as clear."""
    from glassnet.errors import GlassnetError

    return Entry(name, call, expect=(GlassnetError, ValueError), words=tuple(words), subject=subject, xfail=xfail)


def _bad_x() -> list[Entry]:
    from test_bad_input import bad_x_cases

    rng = np.random.default_rng(12345)
    X = rng.normal(size=(60, 3))   # the shape of make_context's EX
    methods = {
        "clf": {"fit": lambda o, b, y: o.fit(b, y), "partial_fit": lambda o, b, y: o.partial_fit(b, y),
                "predict": lambda o, b, y: o.predict(b), "predict_proba": lambda o, b, y: o.predict_proba(b),
                "score": lambda o, b, y: o.score(b, y)},
        "reg": {"fit": lambda o, b, y: o.fit(b, y), "partial_fit": lambda o, b, y: o.partial_fit(b, y),
                "predict": lambda o, b, y: o.predict(b), "score": lambda o, b, y: o.score(b, y)},
    }
    out = []
    for subject, calls in methods.items():
        target = "y2" if subject == "clf" else "yr"
        for method, call in calls.items():
            for label, bad, _error, _words in bad_x_cases(X):
                if label == "columns" and method == "fit":
                    continue   # a refit may take other columns
                rows = 0 if label == "empty" else None

                def run(c, o, f=call, b=bad, t=target, n=rows):
                    y = getattr(c, t)
                    return f(o, b, y[:n] if n is not None else y)

                out.append(_e(f"{subject}.{method}: X {label}", run, subject))
    return out


def _refusals() -> list[Entry]:
    """test_attacks' refused refits (parameters, then a fit that must be refused), on the fitted classifier."""
    out = []
    cases = [
        ("random_state -5 with three new classes", {"random_state": -5}, "y3", None),
        ("negative class weight", {"class_weight": {"yes": -1.0, "no": 1.0}}, "y2", None),
        ("unknown class in class_weight", {"class_weight": {"maybe": 2.0}}, "y2", None),
        ("all-zero class weight", {"class_weight": {"yes": 0.0, "no": 0.0}}, "y2", None),
        ("validation set too small", {"early_stopping": True, "validation_fraction": 0.01}, "y2", 20),
        ("class_weight 'balancedx'", {"class_weight": "balancedx"}, "y2", None),
        ("class_weight a list", {"class_weight": [1.0, 2.0]}, "y2", None),
        ("class_weight NaN", {"class_weight": {"yes": float("nan"), "no": 1.0}}, "y2", None),
    ]
    for name, params, target, rows in cases:
        out.append(_e(f"clf refit: {name}", lambda c, o, p=params, t=target, n=rows: o.set_params(**p).fit(
            c.EX[:n], getattr(c, t)[:n]), "clf"))
    return out


_PARAMS = [
    ("hidden_layer_sizes", (0,)), ("hidden_layer_sizes", (-1,)), ("hidden_layer_sizes", "abc"),
    ("hidden_layer_sizes", (2.5,)), ("activation", "swish"), ("solver", "foo"), ("alpha", -1.0),
    ("batch_size", 0), ("learning_rate", "x"), ("learning_rate_init", 0.0), ("learning_rate_init", -1.0),
    ("learning_rate_init", float("nan")), ("max_iter", 0), ("tol", -1.0), ("momentum", 2.0), ("beta_1", 1.0),
    ("beta_2", -1.0), ("epsilon", 0.0), ("n_iter_no_change", 0), ("dtype", "float16"), ("dropout", 1.0),
    ("l1", -1.0), ("random_state", "x"), ("validation_fraction", 1.5), ("max_fun", 0), ("power_t", "x"),
]


def _params() -> list[Entry]:
    out = []
    for subject, target in (("clf", "y2"), ("reg", "yr")):
        chosen = _PARAMS if subject == "clf" else _PARAMS[::3]
        for key, value in chosen:
            extra = {"early_stopping": True} if key == "validation_fraction" else {}
            extra |= {"solver": "lbfgs"} if key == "max_fun" else {}
            out.append(_e(f"{subject} refit: {key}={value!r}",
                          lambda c, o, k=key, v=value, x=extra, t=target: o.set_params(**{k: v}, **x).fit(
                              c.EX, getattr(c, t)), subject, words=[key]))
    return out


def _weights() -> list[Entry]:
    out = []
    bad = {"negative": lambda n: -np.ones(n), "NaN": lambda n: np.full(n, np.nan),
           "too short": lambda n: np.ones(n - 1), "2-D": lambda n: np.ones((n, 2)),
           "strings": lambda n: np.array(["a"] * n), "all zero": np.zeros, "inf": lambda n: np.full(n, np.inf)}
    for subject, target in (("clf", "y2"), ("reg", "yr")):
        for label, make in bad.items():
            words = ["sample_weight", "must hold numbers", "one weight >= 0 per sample"] if label == "strings" \
                else ["sample"]
            out.append(_e(f"{subject}.fit: sample_weight {label}", lambda c, o, m=make, t=target: o.fit(
                c.EX, getattr(c, t), sample_weight=m(len(c.EX))), subject, words=words))
        out.append(_e(f"{subject}.partial_fit: sample_weight strings", lambda c, o, t=target: o.partial_fit(
            c.EX, getattr(c, t), sample_weight=np.array(["a"] * len(c.EX))), subject,
                      words=["sample_weight", "must hold numbers", "one weight >= 0 per sample"]))
        out.append(_e(f"{subject}.fit: sample_weight 1e39 into float32", lambda c, o, t=target: o.fit(
            c.EX, getattr(c, t), sample_weight=np.full(len(c.EX), 1e39)), subject,
                      words=["sample_weight", "beyond float32's largest number"]))
    return out


def _targets() -> list[Entry]:
    cases = [
        ("clf", "fit: y of other rows", lambda c, o: o.fit(c.EX, c.y2[:-1])),
        ("clf", "fit: y 3-D", lambda c, o: o.fit(c.EX, c.y2.reshape(1, 6, 10))),
        ("clf", "fit: y continuous", lambda c, o: o.fit(c.EX, c.yr)),
        ("clf", "fit: y with None", lambda c, o: o.fit(c.EX, np.array([None] + list(c.y2[1:]), dtype=object))),
        ("clf", "partial_fit: new classes", lambda c, o: o.partial_fit(c.EX, c.y3)),
        ("clf", "partial_fit: other classes=", lambda c, o: o.partial_fit(c.EX, c.y2, classes=["x", "y"])),
        ("clf", "partial_fit: other columns", lambda c, o: o.partial_fit(c.EX[:, :2], c.y2)),
        ("clf", "score: y of other rows", lambda c, o: o.score(c.EX, c.y2[:5])),
        ("reg", "fit: y NaN", lambda c, o: o.fit(c.EX, _with(c.yr, np.nan, (3,)))),
        ("reg", "fit: y inf", lambda c, o: o.fit(c.EX, _with(c.yr, np.inf, (3,)))),
        ("reg", "fit: y strings", lambda c, o: o.fit(c.EX, np.array(["a"] * len(c.EX)))),
        ("reg", "fit: y of other rows", lambda c, o: o.fit(c.EX, c.yr[:5])),
        ("reg", "partial_fit: y of two columns", lambda c, o: o.partial_fit(c.EX, np.c_[c.yr, c.yr])),
        ("reg", "partial_fit: other columns", lambda c, o: o.partial_fit(c.EX[:, :2], c.yr)),
        ("reg", "partial_fit: y NaN", lambda c, o: o.partial_fit(c.EX, _with(c.yr, np.nan, (3,)))),
        ("clf", "set_params of an unknown name", lambda c, o: o.set_params(colour="red")),
        ("clf_new", "predict before fit", lambda c, o: o.predict(c.EX)),
        ("clf_new", "predict_proba before fit", lambda c, o: o.predict_proba(c.EX)),
        ("reg_new", "score before fit", lambda c, o: o.score(c.EX, c.yr)),
        ("clf_new", "partial_fit without classes", lambda c, o: o.partial_fit(c.EX, c.y2)),
        ("clf_new", "fit with y of two rows more", lambda c, o: o.fit(c.EX, np.r_[c.y2, c.y2[:2]])),
    ]
    out = [_e(f"{s}.{name}", call, s) for s, name, call in cases]
    out.append(_e("reg.fit: y*1e30", lambda c, o: o.fit(c.EX, c.yr * 1e30), "reg",
                  words=["targets", "float32", "before any step", "Scale the targets"]))
    out.append(_e("reg.score: y NaN", lambda c, o: o.score(c.EX, _with(c.yr, np.nan, (3,))), "reg",
                  words=["y contains NaN", "index 3"]))
    out.append(_e("reg.score: y inf", lambda c, o: o.score(c.EX, _with(c.yr, np.inf, (3,))), "reg",
                  words=["y contains an infinite value", "index 3"]))
    out.append(_e("clf.score: y NaN", lambda c, o: o.score(c.EX, np.where(c.yr > 0, 1.0, np.nan)), "clf",
                  words=["y contains NaN", "index"]))
    out.append(_e("clf.score: labels with NaN", lambda c, o: o.score(c.EX, np.array(
        [np.nan, *c.y2[1:]], dtype=object)), "clf", words=["y contains NaN", "index 0"]))
    for subject, target in (("clf", "y2"), ("reg", "yr")):
        for method in ("fit", "partial_fit", "predict", "score"):
            out.append(_e(f"{subject}.{method}: X of 1e39 into float32", lambda c, o, m=method, t=target: getattr(
                o, m)(*([_with(c.EX, 1e39)] + ([] if m == "predict" else [getattr(c, t)]))), subject,
                words=["X holds 1e+39 at index (3, 1)", "beyond float32's largest number", "dtype='float64'"]))
    out.append(_e("clf.warm_start refit with other widths", lambda c, o: o.set_params(
        warm_start=True, hidden_layer_sizes=(7,)).fit(c.EX, c.y2), "clf",
        words=["hidden_layer_sizes", "(4,)", "(7,)", "warm_start=False"]))
    out.append(_e("clf.warm_start refit with another activation", lambda c, o: o.set_params(
        warm_start=True, activation="tanh").fit(c.EX, c.y2), "clf", words=["activation", "'tanh'", "'relu'"]))
    out.append(_e("reg.partial_fit with other widths", lambda c, o: o.set_params(
        hidden_layer_sizes=(4, 4)).partial_fit(c.EX, c.yr), "reg", words=["hidden_layer_sizes", "(4, 4)"]))
    return out


def _tables() -> list[Entry]:
    def frame(c, nan=False, text=False, names=("a", "b", "c")):
        import pandas as pd

        df = pd.DataFrame(c.EX, columns=list(names))
        if nan:
            df.iloc[3, 1] = np.nan
        if text:
            df["b"] = "red"
        return df

    def sparse(c, nan=False, columns=3):
        from scipy import sparse as sp

        X = c.EX[:, :columns].copy()
        if nan:
            X[3, 1] = np.nan
        return sp.csr_matrix(X)

    return [
        _e("clf.fit: DataFrame with NaN", lambda c, o: o.fit(frame(c, nan=True), c.y2), "clf", ["NaN"]),
        _e("clf.fit: DataFrame with a text column", lambda c, o: o.fit(frame(c, text=True), c.y2), "clf"),
        _e("clf.fit: DataFrame of repeated names", lambda c, o: o.fit(frame(c, names=("a", "a", "b")), c.y2), "clf"),
        _e("reg.fit: DataFrame with NaN", lambda c, o: o.fit(frame(c, nan=True), c.yr), "reg", ["NaN"]),
        _e("clf.fit: sparse with NaN", lambda c, o: o.fit(sparse(c, nan=True), c.y2), "clf", ["NaN"]),
        _e("clf.predict: sparse of two columns", lambda c, o: o.predict(sparse(c, columns=2)), "clf"),
        _e("reg.partial_fit: sparse with NaN", lambda c, o: o.partial_fit(sparse(c, nan=True), c.yr), "reg"),
        _e("reg.predict: sparse of two columns", lambda c, o: o.predict(sparse(c, columns=2)), "reg"),
    ]


def estimator_entries() -> list[Entry]:
    return _bad_x() + _refusals() + _params() + _weights() + _targets() + _tables()
