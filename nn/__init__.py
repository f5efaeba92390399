"""chainrule's nn: modules, losses and optimizers on Values and Tensors."""
from .conv import AvgPool2d, Conv2d, MaxPool2d
from .init import manual_seed
from .activations import ACTIVATIONS, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .layers import Dropout, Flatten, Identity, Linear, Sequential
from .module import Module
from .scalar import MLP, Layer, Neuron
