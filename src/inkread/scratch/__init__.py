"""The course's foundations from scratch in NumPy: activations, losses, layers, optimisers, training.

Read it in this order: activations → losses → layers → network → init → optim → clip → schedule
→ train → perceptron → logreg. No torch here; tests check every gradient against torch autograd.
"""

from inkread.scratch.layers import Dropout, Layer, Linear, ReLU, Sigmoid, Tanh
from inkread.scratch.logreg import LogisticRegression, softmax_regression
from inkread.scratch.network import Sequential, build_mlp
from inkread.scratch.optim import SGD, AdaGrad, Adam, Optimizer, RMSprop, make_optimizer
from inkread.scratch.perceptron import Perceptron
from inkread.scratch.schedule import StepLR
from inkread.scratch.serialize import load_model, save_model
from inkread.scratch.train import History, Trainer, evaluate_arrays, fit_arrays

__all__ = [
    "SGD", "AdaGrad", "Adam", "Dropout", "History", "Layer", "Linear", "LogisticRegression",
    "Optimizer", "Perceptron", "RMSprop", "ReLU", "Sequential", "Sigmoid", "StepLR", "Tanh",
    "Trainer", "build_mlp", "evaluate_arrays", "fit_arrays", "load_model", "make_optimizer", "save_model",
    "softmax_regression",
]
