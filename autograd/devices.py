"""Devices, as PyTorch names them: chainrule computes with numpy on the CPU, and says so.

`device("cpu")` and the CPU checks work as in PyTorch (`cuda.is_available()` is False), so a
tutorial's `device = "cuda" if torch.cuda.is_available() else "cpu"` picks the CPU; asking
for any other device raises an error that says what to do instead.
"""

from __future__ import annotations

from types import SimpleNamespace

CPU_ONLY = "chainrule runs on the CPU; graduate with nn.to_torch(model) to train on a GPU"


class device:  # noqa: N801  (PyTorch's name)
    """A device name such as 'cpu' (or 'cuda:0', which chainrule refuses when it is used)."""

    def __init__(self, type: str, index: int | None = None):
        name = str(type)
        self.type, _, number = name.partition(":")
        self.index = int(number) if number else index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        return f"device(type={self.type!r}" + ("" if self.index is None else f", index={self.index}") + ")"

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def is_device(value) -> bool:
    """True for a device or a device name ('cpu', 'cuda:0', ...), as `.to(...)` tells a device from a dtype."""
    return isinstance(value, device) or (isinstance(value, str) and value.partition(":")[0] in _KNOWN)


def check_device(value, where: str) -> None:
    """Accept the CPU; refuse any other device with the advice to graduate to PyTorch."""
    if value is None:
        return
    if not is_device(value):
        raise TypeError(f"{where}: expected a device such as 'cpu', got {type(value).__name__} {value!r}")
    if device(value).type != "cpu":
        raise RuntimeError(f"{where}({str(value)!r}): {CPU_ONLY}")


_KNOWN = ("cpu", "cuda", "mps", "xpu", "meta", "xla", "hip", "vulkan", "privateuseone")

cuda = SimpleNamespace(is_available=lambda: False, device_count=lambda: 0)
accelerator = SimpleNamespace(is_available=lambda: False, current_accelerator=lambda: None)
backends = SimpleNamespace(mps=SimpleNamespace(is_available=lambda: False, is_built=lambda: False))
