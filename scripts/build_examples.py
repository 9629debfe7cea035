"""Rebuild the bundled examples in resources/examples/ (untrained: `nnsim train --example NAME`).

Run: python scripts/build_examples.py [OUT_DIR [NAME ...]]   (tests check the shipped files match these definitions)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from nnsim.data import load_dataset
from nnsim.graph import Graph, sequential
from nnsim.graph.layout import apply_layout
from nnsim.project import EXAMPLES_DIR, Project


def _project(layers: list[tuple[str, str, dict[str, Any]]], dataset: dict[str, Any], training: dict[str, Any],
             title: str, description: str) -> Project:
    graph = sequential([(t, p) for _, t, p in layers], names=[n for n, _, _ in layers])
    return Project(graph, dataset, training, meta={"title": title, "description": description})


SPIRAL_FEATURES = {"feat_x1": True, "feat_x2": True, "feat_x1_sq": True, "feat_x2_sq": True, "feat_x1x2": True,
                   "feat_sin_x1": True, "feat_sin_x2": True}


def examples() -> dict[str, Project]:
    return {**dense_examples(), **conv_examples(), **recurrent_examples(), **neuron_examples(),
            **unsupervised_examples(), **autoencoder_examples()}


NO_TRAINING = {"epochs": 0, "batch_size": 0}  # fixed weights: `nnsim train` only evaluates
PERCEPTRON = {"rule": "perceptron", "loss": "mse", "optimizer": "sgd", "learning_rate": 0.1, "batch_size": 1}


def _gate(gate: str, weights: list[float], threshold: float, title: str, description: str) -> Project:
    """One step neuron with fixed weights: it fires when w·x >= θ (bias -θ)."""
    project = _project([("input", "Input", {}), ("output", "Neuron", {"activation": "step"})],
                       {"name": gate, "params": {}}, NO_TRAINING, title, description)
    project.weights = {"output/weight": np.array([weights], np.float32),
                       "output/bias": np.array([-threshold], np.float32)}
    return project


def _xor_neurons() -> Graph:
    """Input -> two hidden neurons -> one output neuron, wired edge by edge."""
    graph = Graph()
    nodes = {name: graph.add_node(t, name, p) for name, t, p in (
        ("input", "Input", {}), ("h1", "Neuron", {"activation": "sigmoid"}),
        ("h2", "Neuron", {"activation": "sigmoid"}), ("output", "Neuron", {"activation": "sigmoid"}))}
    for src, dst in (("input", "h1"), ("input", "h2"), ("h1", "output"), ("h2", "output")):
        graph.connect(nodes[src].id, nodes[dst].id)
    apply_layout(graph)
    return graph


def neuron_examples() -> dict[str, Project]:
    one_neuron = [("input", "Input", {}), ("output", "Neuron", {"activation": "step"})]
    return {
        "and-gate": _gate(
            "and", [1.0, 1.0], 1.5, "AND from one threshold neuron",
            "A step neuron with fixed weights w1 = w2 = 1 and threshold 1.5 fires only when both inputs are 1: "
            "100% on the truth table with no training (epochs 0; `nnsim train` just evaluates)."),
        "or-gate": _gate(
            "or", [1.0, 1.0], 0.5, "OR from one threshold neuron",
            "A step neuron with fixed weights w1 = w2 = 1 and threshold 0.5 fires when any input is 1: 100% "
            "on the truth table with no training (epochs 0; `nnsim train` just evaluates)."),
        "not-gate": _gate(
            "not", [-1.0], -0.5, "NOT from one threshold neuron",
            "A step neuron with the fixed weight w = -1 and threshold -0.5 fires when its input is 0: 100% "
            "on the truth table with no training (epochs 0; `nnsim train` just evaluates)."),
        "perceptron-or": _project(
            one_neuron, {"name": "or", "params": {}}, {**PERCEPTRON, "epochs": 20},
            "Rosenblatt's perceptron learns OR",
            "One step neuron trained by the perceptron rule w <- w + α x (y - f(x)), one sample at a time. "
            "OR is linearly separable, so the rule converges: 100% within 20 epochs."),
        "perceptron-xor": _project(
            one_neuron, {"name": "xor", "params": {}}, {**PERCEPTRON, "epochs": 20},
            "The perceptron rule fails on XOR",
            "The same perceptron on XOR never gets more than 3 of the 4 rows right (75%): no straight line "
            "separates (0,1) and (1,0) from (0,0) and (1,1), so the weights cycle forever. Minsky and Papert's "
            "point; see xor-neurons for the hidden layer that solves it."),
        "xor-neurons": _project_graph(
            _xor_neurons(), {"name": "xor", "params": {}},
            {"loss": "mse", "optimizer": "adam", "learning_rate": 0.05, "batch_size": 0, "epochs": 1000},
            "XOR from three neurons",
            "Two hidden sigmoid neurons feed one output neuron, each edge carrying one weight. Trained by "
            "backpropagation (step units could not be: their gradient is 0), they reach 100% on XOR."),
        "adaline-regression": _project(
            [("input", "Input", {}), ("output", "Neuron", {"activation": "identity"})],
            {"name": "plane", "params": {"noise": 0.1}},
            {"rule": "adaline", "loss": "mse", "optimizer": "sgd", "learning_rate": 0.01, "batch_size": 1,
             "epochs": 20},
            "Adaline fits a noisy plane",
            "Widrow and Hoff's Adaline: one linear neuron trained by the LMS (delta) rule w <- w + α x (y - net), "
            "sample by sample, on points whose target is (x1 + x2) / 10 plus noise. It converges to the "
            "least-squares weights (about 0.1 each); the test RMSE is about the noise level."),
    }


def _project_graph(graph: Graph, dataset: dict[str, Any], training: dict[str, Any], title: str,
                   description: str) -> Project:
    return Project(graph, dataset, training, meta={"title": title, "description": description})


def conv_examples() -> dict[str, Project]:
    adam = {"loss": "cross_entropy", "optimizer": "adam", "batch_size": 32, "epochs": 30}
    return {
        "digits-cnn": _project(
            [("input", "Input", {}),
             ("conv", "Conv2D", {"filters": 16, "kernel_size": 3, "padding": "same", "activation": "relu"}),
             ("pool", "MaxPool2D", {"size": 2}),
             ("flatten", "Flatten", {}),
             ("output", "Dense", {"units": 10, "activation": "softmax"})],
            {"name": "digits", "params": {"layout": "image"}}, {**adam, "learning_rate": 0.003},
            "Handwritten digits with a small CNN",
            "The 8x8 digits as 1x8x8 images: 16 learned 3x3 filters slide over each image, ReLU keeps the "
            "strong responses, 2x2 max pooling halves the resolution, and a softmax layer reads the 16x4x4 "
            "feature maps. Test accuracy about 98%, above the 64-128-10 MLP with far fewer weights."),
        "shapes-cnn": _project(
            [("input", "Input", {}),
             ("conv1", "Conv2D", {"filters": 16, "kernel_size": 3, "padding": "same", "activation": "relu"}),
             ("pool1", "MaxPool2D", {"size": 2}),
             ("conv2", "Conv2D", {"filters": 32, "kernel_size": 3, "padding": "same", "activation": "relu"}),
             ("pool2", "MaxPool2D", {"size": 2}),
             ("flatten", "Flatten", {}),
             ("output", "Dense", {"units": 5, "activation": "softmax"})],
            {"name": "shapes", "params": {"size": 16}}, {**adam, "learning_rate": 0.002},
            "Lines, crosses, circles, squares and triangles",
            "Noisy 16x16 drawings of five shapes at random positions and sizes. Two conv+pool stages "
            "build edge detectors, then corner and curve detectors that don't care where the shape is; "
            "test accuracy about 98%."),
    }


def recurrent_examples() -> dict[str, Project]:
    hello = {"loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.05, "batch_size": 1, "epochs": 100}
    return {
        "hello-rnn": _project(
            [("input", "Input", {}),
             ("rnn", "SimpleRNN", {"units": 8, "return_sequences": True}),
             ("output", "Dense", {"units": 4, "activation": "softmax"})],
            {"name": "hello", "params": {}}, hello,
            "Predict 'ello' from 'hell' with an Elman RNN",
            "The classic smallest RNN: read h, e, l, l one character at a time and predict the next one. "
            "The hidden state s_t = tanh(U x_t + W s_t-1 + b) carries what came before, which is how the "
            "net tells the first 'l' (next: 'l') from the second (next: 'o'). 100% after training."),
        "hello-lstm": _project(
            [("input", "Input", {}),
             ("lstm", "LSTM", {"units": 8, "return_sequences": True}),
             ("output", "Dense", {"units": 4, "activation": "softmax"})],
            {"name": "hello", "params": {}}, hello,
            "Predict 'ello' from 'hell' with an LSTM",
            "The same task with an LSTM: input, forget and output gates decide what the cell state keeps. "
            "Watch the gates in the recurrent view; 100% after training."),
        "recall-rnn": _recall("SimpleRNN", "rnn", "Remember a symbol for 20 steps: a simple RNN fails",
                              "The first step shows one of 8 symbols, then come 20 steps of random distractors "
                              "and a 'go' marker: the net must answer the first symbol. Trained with plain SGD, "
                              "the simple RNN stays near chance (12.5%): the gradient reaching step 0 is a "
                              "product of 21 tanh derivatives and recurrent weights and vanishes. Compare "
                              "recall-lstm (100%). Switch the optimizer to adam or rmsprop, which rescale each "
                              "weight's tiny gradient, and the RNN can learn this gap too."),
        "recall-lstm": _recall("LSTM", "lstm", "Remember a symbol for 20 steps: an LSTM succeeds",
                               "The delayed-recall task of recall-rnn, same size and same plain SGD, with an "
                               "LSTM: its cell state is updated additively (c_t = f c_t-1 + i g), and with the "
                               "forget gate open the gradient flows back 20 steps undiminished. Test accuracy "
                               "100%, against chance for the simple RNN."),
        "sine-gru": _project(
            [("input", "Input", {}),
             ("gru", "GRU", {"units": 16, "return_sequences": False}),
             ("output", "Dense", {"units": 1, "activation": "identity"})],
            {"name": "sine", "params": {}},
            {"loss": "mse", "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": 60},
            "Predict the next value of a noisy sine wave with a GRU",
            "Windows of 20 noisy samples of sine waves with random frequency and phase; a GRU reads each "
            "window and a linear unit predicts the next clean value. Test RMSE about 0.02."),
        **text_examples(),
    }


def _recall(kind: str, node: str, title: str, description: str) -> Project:
    return _project(
        [("input", "Input", {}),
         (node, kind, {"units": 32, "return_sequences": False}),
         ("output", "Dense", {"units": 8, "activation": "softmax"})],
        {"name": "recall", "params": {"gap": 20, "n_samples": 4000}},
        {"loss": "cross_entropy", "optimizer": "sgd", "learning_rate": 1.0, "batch_size": 32, "epochs": 80,
         "clip_norm": 1.0},
        title, description)


def text_examples() -> dict[str, Project]:
    sentiment_vocab = len(load_dataset({"name": "sentiment", "params": {}}).vocab)
    zen_vocab = len(load_dataset({"name": "zen", "params": {}}).vocab)
    embed = ("embedding", "Embedding", {"vocab_size": sentiment_vocab, "dim": 16})
    classify = ("output", "Dense", {"units": 2, "activation": "softmax"})
    adam = {"loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32}
    return {
        "sentiment-textcnn": _project(
            [("input", "Input", {}), embed,
             ("conv", "Conv1D", {"filters": 32, "kernel_size": 3, "activation": "relu"}),
             ("pool", "GlobalMaxPool1D", {}), classify],
            {"name": "sentiment", "params": {}}, {**adam, "epochs": 20},
            "Sentiment of short sentences with a text CNN",
            "Generated sentences such as 'the plot was not really good'. Words become 16-number vectors, "
            "32 filters look at 3 words at a time (so 'not ... good' can be caught), and max pooling keeps "
            "each filter's strongest match anywhere in the sentence. Test accuracy about 99%."),
        "sentiment-bilstm": _project(
            [("input", "Input", {}), embed,
             ("bilstm", "LSTM", {"units": 16, "bidirectional": True, "return_sequences": False}), classify],
            {"name": "sentiment", "params": {}}, {**adam, "epochs": 30},
            "Sentiment of short sentences with a bidirectional LSTM",
            "The same sentences read by two LSTMs, left to right and right to left, whose final states are "
            "joined: a negation before or after a sentiment word is seen either way. Test accuracy above 99%."),
        "zen-lstm": _project(
            [("input", "Input", {}),
             ("lstm", "LSTM", {"units": 128, "return_sequences": True}),
             ("output", "Dense", {"units": zen_vocab, "activation": "softmax"})],
            {"name": "zen", "params": {}},
            {"loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.005, "batch_size": 32, "epochs": 40},
            "A character LSTM that writes the Zen of Python",
            "Windows of 25 characters from the Zen of Python (the standard library's `this`), predicting "
            "the next character at every step. After training, sampling from it one character at a time "
            "writes lines like 'Beautiful is better than ugly.'; watch the sampled text improve live."),
    }


def dense_examples() -> dict[str, Project]:
    return {
        "xor": _project(
            [("input", "Input", {}),
             ("hidden", "Dense", {"units": 2, "activation": "sigmoid"}),
             ("output", "Dense", {"units": 1, "activation": "sigmoid"})],
            {"name": "xor", "params": {}},
            {"loss": "mse", "optimizer": "adam", "learning_rate": 0.05, "batch_size": 0, "epochs": 1000},
            "XOR with a 2-2-1 sigmoid network",
            "XOR is not linearly separable, so a single neuron can't learn it; two hidden sigmoid units "
            "can. Backpropagation with Adam reaches 100% train accuracy. Plain SGD from this seed stalls "
            "in a local minimum with one point wrong: switch the optimizer to sgd to see it."),
        "spiral": _project(
            [("input", "Input", {}),
             ("hidden1", "Dense", {"units": 8, "activation": "tanh"}),
             ("hidden2", "Dense", {"units": 8, "activation": "tanh"}),
             ("output", "Dense", {"units": 1, "activation": "sigmoid"})],
            {"name": "spiral", "params": {"noise": 0.1, **SPIRAL_FEATURES}},
            {"loss": "bce", "optimizer": "adam", "learning_rate": 0.01, "batch_size": 10, "epochs": 300},
            "Two-arm spiral, Playground style",
            "The two interleaved arms of a spiral, as in TensorFlow Playground. Engineered inputs (x1², x2², "
            "x1·x2, sin x1, sin x2) and two tanh layers of 8 units separate them; test accuracy reaches "
            "over 99%. Switch features off to see how much harder the raw coordinates are."),
        "digits-mlp": _project(
            [("input", "Input", {}),
             ("hidden", "Dense", {"units": 128, "activation": "relu", "init": "he_uniform"}),
             ("output", "Dense", {"units": 10, "activation": "softmax"})],
            {"name": "digits", "params": {}},
            {"loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.001, "batch_size": 32,
             "epochs": 40},
            "Handwritten digits with a 64-128-10 network",
            "8x8 images of handwritten digits, flattened to 64 inputs, one ReLU layer of 128 units and a "
            "softmax over the 10 classes, trained with cross-entropy; test accuracy reaches about 97%."),
    }


def unsupervised_examples() -> dict[str, Project]:
    rbm = {"pretrain_learning_rate": 0.05, "pretrain_momentum": 0.9, "pretrain_weight_decay": 0.0001,
           "pretrain_batch_size": 20}
    return {
        "rbm-digits": _project(
            [("input", "Input", {}), ("rbm", "RBM", {"units": 64})],
            {"name": "digits", "params": {"binarize": True}},
            {"learning_rate": 0.05, "momentum": 0.9, "l2": 0.0001, "batch_size": 20, "epochs": 30},
            "A restricted Boltzmann machine learns digits",
            "The 8x8 digits, thresholded to black and white, are the 64 visible units of an RBM with 64 binary "
            "hidden units, trained without labels by contrastive divergence (CD-1, learning rate 0.05, momentum "
            "0.9). Its reconstruction error, the mean squared difference between an image and p(x | h = p(h | x)), "
            "falls from 0.092 after the first epoch to 0.022 on the training images and 0.026 on the test images "
            "after 30 epochs; the hidden units' weights become stroke detectors."),
        "rbm-bars": _project(
            [("input", "Input", {}), ("rbm", "RBM", {"units": 8, "k": 5})],
            {"name": "bars", "params": {}},
            {"learning_rate": 0.05, "momentum": 0.5, "l2": 0.0, "batch_size": 14, "epochs": 1000},
            "A tiny RBM you can check by hand",
            "The 14 bars-and-stripes images of 3x3 pixels (every column pattern as vertical bars, every row "
            "pattern as horizontal stripes) are the 9 visible units of an RBM with 8 hidden units, trained by CD-5 "
            "(learning rate 0.05, momentum 0.5). With only 17 units NNSim computes the partition function Z "
            "exactly, so the RBM view shows the exact probability p(x) = exp(-F(x))/Z of every pattern beside "
            "its share of the data (1/14 = 7.1% each). After 1000 epochs the 14 patterns hold 97.4% of the "
            "probability mass of all 512 images, each between 3.2% and 12.8%. Set k to 1 (CD-1) and train "
            "again: the mass is as high, but it piles up unevenly and some patterns get almost none."),
        "dbn-digits": _project(
            [("input", "Input", {}), ("rbm1", "RBM", {"units": 128}), ("rbm2", "RBM", {"units": 64}),
             ("output", "Dense", {"units": 10, "activation": "softmax"})],
            {"name": "digits", "params": {}},
            {**rbm, "pretrain_epochs": 20, "loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.002,
             "batch_size": 32, "epochs": 40},
            "A deep belief net: pretrained RBMs, then backprop",
            "Two phases. Pretraining, greedy and without labels: the first RBM (128 hidden units) learns the "
            "8x8 digits by contrastive divergence for 20 epochs, then the second (64 units) learns the first "
            "one's hidden activity p(h | x) for 20 epochs. Fine-tuning: the RBMs become sigmoid layers, a softmax "
            "over the 10 classes goes on top, and backprop (Adam, cross-entropy) trains the whole stack on the "
            "labels for 40 epochs; test accuracy reaches about 96.7%. Pretraining is a head start: after one "
            "fine-tuning epoch the net is at 59%, against 10% for the same net from random weights "
            "(pretrain_epochs 0)."),
    }


def autoencoder_examples() -> dict[str, Project]:
    return {
        "autoencoder-digits": _project(
            [("input", "Input", {}), ("autoencoder", "Autoencoder", {"units": 32, "tied": True})],
            {"name": "digits", "params": {}},
            {"learning_rate": 0.5, "momentum": 0.9, "batch_size": 20, "epochs": 20},
            "An autoencoder squeezes digits through 32 code units",
            "The 64 pixels of each 8x8 digit (grey levels in [0, 1]) are coded by 32 sigmoid units, h = "
            "sigmoid(Wx + b), and decoded back through the same weights transposed (tied), x' = sigmoid(Wᵀh + d); "
            "no labels are used. Gradient descent (learning rate 0.5, momentum 0.9) on the squared reconstruction "
            "error brings the test reconstruction error, the mean squared difference per pixel between a digit "
            "and its reconstruction, from 0.0235 after the first epoch to 0.0060 after 20; the code units' "
            "weights become stroke and blob detectors."),
        "stacked-autoencoder-digits": _project(
            [("input", "Input", {}), ("ae1", "Autoencoder", {"units": 64, "corruption": 0.2}),
             ("ae2", "Autoencoder", {"units": 32, "corruption": 0.2}),
             ("output", "Dense", {"units": 10, "activation": "softmax"})],
            {"name": "digits", "params": {}},
            {"pretrain_epochs": 20, "pretrain_learning_rate": 0.5, "pretrain_momentum": 0.9,
             "pretrain_weight_decay": 0.0, "pretrain_batch_size": 20, "loss": "cross_entropy", "optimizer": "adam",
             "learning_rate": 0.002, "batch_size": 32, "epochs": 40},
            "Stacked denoising autoencoders, then backprop",
            "Two phases. Pretraining, greedy and without labels: the first denoising autoencoder (64 code units) "
            "learns to rebuild the 8x8 digits from copies with a fifth of the pixels blanked, for 20 epochs; then "
            "the second (32 units) does the same with the first one's codes. Fine-tuning: the encoders become "
            "sigmoid layers, a softmax over the 10 classes goes on top, and backprop (Adam, cross-entropy) trains "
            "the whole stack on the labels for 40 epochs; test accuracy reaches about 97.2%. Pretraining is a "
            "head start: after one fine-tuning epoch the net is at 39%, against 10% for the same net from random "
            "weights (pretrain_epochs 0)."),
    }


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else EXAMPLES_DIR
    out.mkdir(parents=True, exist_ok=True)
    only = set(argv[2:])  # optional example names: rebuild just those
    for name, project in examples().items():
        if only and name not in only:
            continue
        project.save(out / f"{name}.nnsim")
        (out / f"{name}.nnsim.bak").unlink(missing_ok=True)
        print(f"wrote {out / name}.nnsim")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
