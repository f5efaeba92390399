"""Neurons and layers found in a graph itself, for a scalar network drawn without `modules=`.

A *parameter* is a leaf that gets a gradient and feeds exactly one op (each weight of a neuron).
A *unit* (a neuron) grows from each op that reads parameters:

1. an op with parameter inputs starts a unit holding it and those parameters (a neuron's `dot`,
   or micrograd's `w·x` products and `+ b`), and takes in the units whose result only it reads;
2. a `+` whose every input is the result of a unit read only by it joins them into one
   (micrograd's sum of the products `w1·x1 + w2·x2 + …`);
3. an activation (relu, tanh, sigmoid, …) of a unit's result, read only by it, joins that unit.

Units that read exactly the same inputs form a *layer*. A *batch* (one network over several
samples, so each weight feeds one op per sample and no leaf is a parameter) is found instead by
its samples: a box per sample (`sample1.net`, the forward; `sample1`, with its loss term) and one
box `parameters` of the leaves the samples share; the loss arithmetic joining them stays in view.
The output (the root) belongs to no unit, so it always shows. Without neurons, the middle of each long chain of ops
(`h = (h * w).tanh()` many times) becomes a box. The result reads like a ModuleMap
(viz.modules) with paths `layer1`, `layer1.n0`, … (or `chain1`, …), so the drawing folds and
opens units and layers as it does modules.
In a Tensor graph a unit is a whole layer (`linear` and its activation): `layer1`, `layer2`, ….
"""

from __future__ import annotations

from collections import Counter

from autograd import Node, Value
from nn.activations import ACTIVATIONS

LONG_CHAIN = 8  # ops in a run before its middle is folded


class Found:
    """A stand-in for the module a unit or layer would be: what its box says."""

    def __init__(self, title: str):
        self.title = title


class UnitMap:
    """Units and layers of a graph as module paths: the same reading as viz.modules.ModuleMap."""

    def __init__(self, order: list[Node], index: dict[int, int], root: Node):
        uses: Counter = Counter()
        for node in order:
            for parent in node._prev:
                uses[index[id(parent)]] += 1
        n = len(order)
        param = [
            not node._prev and node.requires_grad and uses[i] == 1 and node is not root for i, node in enumerate(order)
        ]
        unit: list[int | None] = [None] * n  # unit number of each node
        members: list[list[int]] = []
        top: list[int] = []  # the node whose result leaves the unit
        closed: list[bool] = []  # an activation ends a unit: no later sum takes it in

        def merge(into: int, other: int) -> None:
            for j in members[other]:
                unit[j] = into
            members[into] += members[other]
            members[other] = []

        for i, node in enumerate(order):
            if not node._prev:
                continue
            parents = [index[id(p)] for p in node._prev]
            if node is root:  # the output shows; its own parameters make a unit of their own
                params = list(dict.fromkeys(j for j in parents if param[j]))
                if params:
                    for j in params:
                        unit[j] = len(members)
                    members.append(params)
                    top.append(params[-1])
                    closed.append(True)
                continue
            private_tops = [
                t for j in parents if (t := unit[j]) is not None and top[t] == j and uses[j] == 1 and not closed[t]
            ]
            params = [j for j in parents if param[j]]
            u = None
            if params:  # rule 1
                u = len(members)
                members.append([*dict.fromkeys(params), i])
                top.append(i)
                closed.append(False)
                for j in params:
                    unit[j] = u
            elif node._op == "+" and private_tops and len(private_tops) == len(parents):  # rule 2
                u = private_tops[0]
                members[u].append(i)
            elif node._op in ACTIVATIONS and len(parents) == 1 and private_tops:  # rule 3
                u = private_tops[0]
                members[u].append(i)
                closed[u] = True
            if u is None:
                continue
            unit[i] = u
            top[u] = i
            for other in dict.fromkeys(private_tops):
                if other != u:
                    merge(u, other)

        # A scalar neuron has two parameters at least (a weight and a bias); one lone leaf is not one.
        fewest = 2 if isinstance(root, Value) else 1
        kept = [u for u in range(len(members)) if sum(param[j] for j in members[u]) >= fewest]
        if len(kept) < 2:  # one unit is nothing to fold
            kept = []
        # Layers: units reading the same inputs (the nodes outside them that they read).
        inputs: dict[int, frozenset] = {}
        for u in kept:
            inside = set(members[u])
            inputs[u] = frozenset(
                index[id(p)] for j in members[u] for p in order[j]._prev if index[id(p)] not in inside
            )
        ordered = sorted(kept, key=lambda u: max(members[u]))
        scalar = isinstance(root, Value)
        groups: dict[frozenset, list[int]] = {}
        for u in ordered:  # a Tensor unit is a layer of its own
            groups.setdefault(inputs[u] if scalar else frozenset([u]), []).append(u)
        layered = scalar and (len(groups) > 1 or any(len(g) > 1 for g in groups.values()))

        self.modules: dict[str, Found] = {"": Found("network")}
        self.parent: dict[str, str | None] = {"": None}
        self.depth: dict[str, int] = {"": 0}
        self.owner: list[str | None] = [None] * n
        self.names: dict[int, str] = {}
        self.short_names: dict[int, str] = {}
        self.units = len(kept)
        self.scalar = scalar
        self.layer_sizes: list[int] = []
        for k, group in enumerate(groups.values(), 1):
            layer = f"layer{k}" if layered else ""
            if layered:
                act = Counter(order[top[u]]._op for u in group).most_common(1)[0][0]
                kind = act if act in ACTIVATIONS else "no activation"
                self._add(layer, "", f"layer {k} · {len(group)} neuron{'s' * (len(group) > 1)}, {kind}")
                self.layer_sizes.append(len(group))
            for m, u in enumerate(group):
                ops = " → ".join(dict.fromkeys(order[j]._op for j in sorted(members[u]) if order[j]._prev))
                if not scalar:
                    path = f"layer{k}"
                    self._add(path, "", f"layer {k} · {ops or 'parameters'}")
                else:
                    path = f"{layer}.n{m}" if layer else f"n{m}"
                    self._add(path, layer, f"neuron {m} · {ops or 'parameters'}")
                w = 0
                for j in sorted(members[u]):
                    self.owner[j] = path
                    if param[j]:
                        short = order[j].label or f"w{w}"
                        w += 1
                        self.names[j] = f"{path}.{short}"
                        self.short_names[j] = short
        self.chains = 0
        self.samples = 0
        self.folds: list[tuple[str, ...]] = []  # the batch's folds, samples' forward first
        if not kept:
            self._find_samples(order, index)
        if not kept and not self.samples:
            self._find_chains(order, index, root, uses)

    def _find_samples(self, order: list[Node], index: dict[int, int]) -> None:
        """A batch: the same network applied to several samples, sharing its parameter leaves
        (a loss summed over samples). The samples are the largest group of values built the
        same way (the same expression tree) from disjoint ops: each one's loss term, down to the
        network output. Each sample's ops and own inputs become a box `sampleK.net` inside
        `sampleK` (which adds the loss term), the leaves two or more samples read one box
        `parameters`, and what joins the samples (the sum of the terms) stays in view."""
        shapes: dict[tuple, int] = {}
        shape = [0] * len(order)  # same number = same expression tree
        size = [0] * len(order)  # ops in that tree
        for i, node in enumerate(order):
            if node._prev:
                parents = [index[id(p)] for p in node._prev]
                key = (node._op, tuple(sorted(shape[j] for j in parents)))
                shape[i] = shapes.setdefault(key, len(shapes) + 1)
                size[i] = 1 + sum(size[j] for j in parents)
        groups: dict[int, list[int]] = {}
        for i in range(len(order)):
            if shape[i]:
                groups.setdefault(shape[i], []).append(i)
        for group in sorted((g for g in groups.values() if len(g) > 1), key=lambda g: -size[g[0]])[:3]:
            tops = [self._forward_end(order, index, top) for top in group]
            cones = [self._cone(order, index, top) for top in tops]
            readers = Counter(j for cone in cones for j in cone)
            if not any(readers[j] > 1 and order[j]._prev for j in readers):
                break  # the samples share no op: a batch
        else:
            return
        shared = [j for j in sorted(readers) if readers[j] > 1]
        if not shared:
            return
        self._add("parameters", "", f"parameters · {len(shared)} shared by {len(tops)} samples")
        for w, j in enumerate(shared):
            self.owner[j] = "parameters"
            short = order[j].label or f"p{w}"
            self.names[j] = f"parameters.{short}"
            self.short_names[j] = short
        forward = [{j for j in cone if readers[j] == 1} for cone in cones]
        for k, (top, own) in enumerate(zip(group, forward), 1):
            term = self._cone(order, index, top) - own - set(shared)
            self._add(f"sample{k}", "", f"sample {k} · loss term")
            self._add(f"sample{k}.net", f"sample{k}", f"sample {k} · forward")
            for j in term:
                self.owner[j] = f"sample{k}"
            for j in own:
                self.owner[j] = f"sample{k}.net"
        nets = tuple(f"sample{k}.net" for k in range(1, len(tops) + 1))
        self.folds = [("parameters", *nets), ("parameters", *(net.split(".")[0] for net in nets))]
        self.samples = len(group)
        self.units = self.samples
        self.shared = len(shared)

    @staticmethod
    def _forward_end(order: list[Node], index: dict[int, int], top: int) -> int:
        """From a sample's loss term down to its network output: past ops whose only other
        inputs are constants (`(yout - ygt) ** 2`)."""
        while True:
            ops = [p for p in order[top]._prev if p._prev]
            consts = all(not p._prev and not p.requires_grad for p in order[top]._prev if p not in ops)
            if len(ops) != 1 or not consts:
                return top
            top = index[id(ops[0])]

    @staticmethod
    def _cone(order: list[Node], index: dict[int, int], top: int) -> set[int]:
        """`top` and every value it was computed from."""
        cone, stack = {top}, [top]
        while stack:
            for parent in order[stack.pop()]._prev:
                j = index[id(parent)]
                if j not in cone:
                    cone.add(j)
                    stack.append(j)
        return cone

    def _find_chains(self, order: list[Node], index: dict[int, int], root: Node, uses: Counter) -> None:
        """Without neurons, long chains: runs of ops where each result is read only by the next
        op, whose other inputs are leaves read only by it (`h = (h * w).tanh()` repeated). The
        middle of a run of LONG_CHAIN ops or more becomes one box; its two first and two last
        ops stay in view."""
        reader: dict[int, int] = {}
        for c, node in enumerate(order):
            for parent in node._prev:
                reader[index[id(parent)]] = c
        following: dict[int, int] = {}
        for i, node in enumerate(order):
            if not node._prev or node is root or uses[i] != 1:
                continue
            c = reader[i]
            others = [index[id(p)] for p in order[c]._prev if index[id(p)] != i]
            if all(not order[j]._prev and uses[j] == 1 for j in others):
                following[i] = c
        followed = set(following.values())
        for start in (i for i in following if i not in followed):
            run = [start]
            while run[-1] in following:
                run.append(following[run[-1]])
            if len(run) < LONG_CHAIN:
                continue
            middle = run[2:-2]
            self.chains += 1
            path = f"chain{self.chains}"
            ops = " → ".join(dict.fromkeys(order[i]._op for i in middle))
            self._add(path, "", f"chain · {len(middle)} ops ({ops})")
            for i in middle:
                self.owner[i] = path
                for parent in order[i]._prev:
                    j = index[id(parent)]
                    if not order[j]._prev:
                        self.owner[j] = path
        self.units = self.chains

    def _add(self, path: str, parent: str, title: str) -> None:
        self.modules[path] = Found(title)
        self.parent[path] = parent
        self.depth[path] = self.depth[parent] + 1

    def describe(self) -> str:
        """What was found, in words: '33 neurons in 3 layers (16, 16, 1)'."""
        if self.samples:
            return f"{self.samples} samples through the same network, sharing {self.shared} parameters"
        if self.chains:
            return f"{self.chains} long chain{'s' * (self.chains > 1)} of ops"
        if self.layer_sizes:
            sizes = ", ".join(str(size) for size in self.layer_sizes)
            return f"{self.units} neurons in {len(self.layer_sizes)} layers ({sizes})"
        return f"{self.units} {'neurons' if self.scalar else 'layers'}"  # at least 2 units are ever found

    def used_paths(self) -> list[str]:
        return [p for p in self.modules if p]

    def title(self, path: str) -> str:
        return self.modules[path].title
