"""The main job until the command line lands: learn handwritten digits (8x8 images, shipped with
scikit-learn) with a small network, printing the cost as it falls, and finish with the test accuracy."""

import time

import numpy as np
from sklearn.datasets import load_digits

import glassnet

digits = load_digits()
X = digits.data / 16.0  # pixel intensities 0..16 -> 0..1
y = digits.target
order = np.random.default_rng(0).permutation(len(X))
test, train = order[: len(X) // 4], order[len(X) // 4 :]

net = glassnet.Network.from_sizes([64, 64, 10], activation="relu", cost="cross_entropy", seed=0)
print(net.summary(), "\n")
start = time.perf_counter()
history = net.fit(
    X[train], y[train], epochs=30, batch_size=32, optimizer="adam", learning_rate=0.003, verbose=True
)
seconds = time.perf_counter() - start
accuracy = np.mean(net.predict_classes(X[test]) == y[test])
print(f"\ntrained {len(history)} epochs in {seconds:.2f} s; test accuracy {accuracy:.2%} on {len(test)} digits")
