"""Handwritten digits (8x8 pixels, scikit-learn's copy of the UCI set) from Python: train, measure on rows held
out from training, look inside, save and load.

    python examples/digits.py        (needs scikit-learn: make demo installs it)
"""

import numpy as np

import glassnet
from glassnet.datasets import Standardizer, load_digits, train_test_split

data = load_digits()
X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, test_size=0.2, seed=0)
scaler = Standardizer().fit(X_train)  # fitted on the training rows only
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

net = glassnet.Network.from_sizes([64, 32, 10], activation="relu", output="softmax", cost="cross_entropy",
                                  seed=0)
history = net.fit(X_train, y_train, epochs=20, batch_size=32, optimizer="adam", learning_rate=0.003,
                  validation_split=0.1)
print(f"cost {history.cost[0]:.3f} -> {history.cost[-1]:.4f} (the mean over each epoch's batches)")
print(f"test accuracy {net.accuracy(X_test, y_test):.2%} on {len(X_test)} rows never seen in training")

wrong = np.flatnonzero(net.predict_classes(X_test) != y_test)
print(f"{len(wrong)} mistakes; the first: a {y_test[wrong[0]]} read as a {net.predict_classes(X_test[wrong[:1]])[0]}"
      if len(wrong) else "no mistakes")
print(net.blame(X_test, y_test).to_text(max_neurons=3))  # which neurons carry the error

net.save("digits-example.glassnet")
again = glassnet.load("digits-example.glassnet")
assert np.array_equal(again.predict(X_test), net.predict(X_test))  # a round trip is exact
