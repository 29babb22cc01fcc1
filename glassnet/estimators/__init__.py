"""MLPClassifier and MLPRegressor: scikit-learn estimators over glassnet's engine.

They take scikit-learn's MLP parameters, with the same names and meanings, so that existing code can swap
them in; underneath, ``network_`` is an ordinary glassnet :class:`~glassnet.network.Network` trained by
:class:`~glassnet.training.Trainer`, open to everything else glassnet offers (trace, blame, pictures).

How scikit-learn's parameters map onto the engine
-------------------------------------------------
Outputs and costs. A classifier with two classes has one sigmoid output and ``binary_cross_entropy``;
with more classes, a softmax output per class and ``cross_entropy``; with a multilabel indicator ``y``, a
sigmoid output per label and ``binary_cross_entropy``. A regressor has identity outputs and ``mse``
(``loss="squared_error"``), or exp outputs and ``poisson``, the half Poisson deviance (``loss="poisson"``,
which is scikit-learn's loss itself and needs none of the factors below).

``alpha`` (L2). scikit-learn adds ``alpha / (2 m) * sum W^2`` to each batch's cost, m the batch's rows
(or their summed sample weights), so each step adds ``(alpha / m) W`` to the weight gradient. glassnet's
L2 term is ``l2 / (2 n) * sum W^2`` with n the training rows, adding ``(l2 / n) W``. Equal steps need
``l2 / n = alpha / m``, so::

    l2 = alpha * n_train / batch_size

which is exact for every full batch (only a smaller last batch gets a slightly weaker pull than in
scikit-learn, which divides by that batch's own size).

``l1`` and ``dropout`` (glassnet only). ``l1`` is in ``alpha``'s units: ``l1 / m * sum |W|`` per batch of m
rows, so each step adds ``(l1 / m) sign(W)`` and the Trainer gets ``l1 * n_train / batch_size``, as ``l2``.
``dropout`` (one rate, or one per hidden layer) goes to the Trainer unchanged: inverted dropout in training
only (:mod:`glassnet.dropout`). ``loss_`` and the validation cost include the L1 term. Both need solver "sgd"
or "adam": L-BFGS-B needs a smooth, deterministic objective, so ``solver="lbfgs"`` refuses them.

The regressor's cost. glassnet's ``mse`` is ``J = 1/(n k) sum (a - y)^2`` over n samples and k outputs;
scikit-learn trains on ``1/(2 n) sum (a - y)^2``, whose gradient is ``k / 2`` times smaller. So that
``learning_rate_init``, ``alpha``, ``epsilon`` and ``tol`` mean what they mean in scikit-learn, the
regressor uses ``learning_rate_init * k / 2`` for SGD, ``epsilon * 2 / k`` for Adam (which a constant
gradient factor otherwise leaves alone) and ``l2`` (and ``l1``) times ``2 / k``: the steps are then those of
scikit-learn's squared loss. Its ``loss_``, ``loss_curve_``, ``best_loss_`` and ``validation_loss_curve_``
are scikit-learn's numbers: half the mean squared error over samples *and outputs*,
``((y - a) ** 2).mean() / 2``, plus ``alpha / (2 m) sum W^2`` (m the batch size; lbfgs: the training rows)
and ``l1 / m sum |W|``, which glassnet gets from its cost ``J + P`` (P its L2 and L1 terms) as
``J / 2 + P k / 2``; the stopping rule compares them with ``tol`` itself, as scikit-learn.
(For k > 1 that loss is not the function whose gradient
the steps follow, ``1/(2n) sum (a - y)^2``, which is also scikit-learn's way.) The classifiers' and the Poisson
loss's ``loss_`` is scikit-learn's loss as it is. SGD and Adam add the L2 term of the epoch's final weights,
scikit-learn that of each batch's weights before its step: with ``alpha > 0`` close, not identical. A model
file saved by an earlier glassnet keeps the ``loss_`` it was saved with (the squared error, not halved).

``solver="lbfgs"``: scipy's L-BFGS-B on the network's flat parameter array, full batch, in float64, with
``max_iter`` as its ``maxiter``, ``max_fun`` as ``maxfun`` and ``tol`` as ``gtol`` (see
:mod:`glassnet.estimators.lbfgs`); it needs ``pip install glassnet[scipy]``.

``learning_rate`` (SGD only, as in scikit-learn): ``"constant"``; ``"invscaling"``, the rate
``learning_rate_init / (t + 1) ** power_t`` with t the training samples seen so far, set at the start of
each epoch; ``"adaptive"``, which divides the rate by 5 instead of stopping when the loss (or validation
score) stalls for ``n_iter_no_change`` epochs, and stops once it falls to 1e-6 or below.

Stopping, as scikit-learn: training stops when the training loss has not fallen by ``tol`` (or, with
``early_stopping``, the validation score has not risen by ``tol``) for more than ``n_iter_no_change``
epochs in a row (never, with ``n_iter_no_change=np.inf``); reaching ``max_iter`` first gives a
ConvergenceWarning. Each fit, warm or not, starts again from ``learning_rate_init``. ``early_stopping`` holds out
``validation_fraction`` of the rows (a stratified split for single-output classifiers) and restores the
weights of the epoch with the best validation score. Its validation cost per epoch (in ``loss_`` units)
is kept in ``validation_loss_curve_``.

``sample_weight`` and ``class_weight``: each batch's cost is the weighted mean of its samples' costs, as
in scikit-learn (see :mod:`glassnet.costs`); a class weight multiplies the sample weight of its samples.

Sparse X (scipy.sparse CSR or CSC, matrices or arrays, as scikit-learn's MLP takes them) is never made
dense: the first layer's ``s_1 = X @ W_1 + b_1`` and its gradient ``X^T @ delta_1`` are computed on the
sparse matrix (see :mod:`glassnet.sparse`), so text pipelines (TfidfVectorizer, OneHotEncoder with sparse
output) work, with the same model as on the dense form of the same X.

Divergence (a NaN or infinite cost): with ``early_stopping`` the weights of the best validation score are
restored and the fit ends with a ConvergenceWarning; without it the fit raises a ValueError (also glassnet's
DivergenceError) and the estimator keeps the state it had (see :mod:`glassnet.estimators.stochastic`).

Starting weights and biases are drawn as scikit-learn draws them (Glorot uniform: the "sklearn" scheme of
:mod:`glassnet.initializers`), from the network's seed. The deliberate difference is the dtype: float32 by
default whatever X's dtype, predictions included (``dtype="auto"`` follows X as scikit-learn does). Details
that remain: Adam adds ``epsilon`` to the bias-corrected root, as in the Adam paper's algorithm;
``partial_fit`` and ``warm_start`` keep glassnet's own random generator (saved with the model); and
``partial_fit`` after ``set_params`` steps with the new ``learning_rate_init``, ``momentum``, ``beta_1``,
``beta_2`` and ``epsilon`` (and a new ``solver``'s optimizer) while keeping the optimizer's memory (SGD's
velocity, Adam's m, v and step count), where scikit-learn keeps the settings of its first call. A warm start
or ``partial_fit`` whose ``hidden_layer_sizes`` or ``activation`` differ from the fitted network's is refused,
naming both (scikit-learn goes on silently with the fitted network). The
guide's page on the estimators tabulates every parameter, method and attribute.
"""

from .classifier import MLPClassifier
from .regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
