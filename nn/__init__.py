"""chainrule's nn: modules, losses and optimizers on Values and Tensors."""
from .init import manual_seed
from .module import Module
from .scalar import MLP, Layer, Neuron
