"""Recording switches: `no_grad`, `enable_grad`, `set_grad_enabled` and the flag of
`detect_anomaly`.

Each thread has its own switches, as in PyTorch: a `no_grad()` block in one thread (say,
a `predict` running beside training) never turns recording off in another. Every switch is
re-entrant: a decorated function that calls itself, or a block nested in another, puts
back exactly the state it found.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any


class _Mode(threading.local):
    """The current thread's flags (class attributes are each new thread's defaults).

    `ordinary` is True while every flag is at its default (record the graph, check nothing): an
    op reads that one flag, and only when it is False looks at the others.
    """

    ordinary = True
    _grad_enabled = True
    _anomaly = False

    @property
    def grad_enabled(self) -> bool:
        return self._grad_enabled

    @grad_enabled.setter
    def grad_enabled(self, enabled: bool) -> None:
        self._grad_enabled = enabled
        self.ordinary = enabled and not self._anomaly

    @property
    def anomaly(self) -> bool:
        return self._anomaly

    @anomaly.setter
    def anomaly(self, checking: bool) -> None:
        self._anomaly = checking
        self.ordinary = self._grad_enabled and not checking


mode = _Mode()


class ModeSwitch:
    """Set one flag of `mode` inside a block or a decorated function, then restore it.

    Usable as `with no_grad():`, `@no_grad()` and `@no_grad`; on a generator function the
    flag is set around each step of the generator, not around its creation.
    """

    flag: str = ""
    value: bool = True

    def __new__(cls, func: Callable | None = None):
        switch = super().__new__(cls)
        if func is None:
            return switch
        if not callable(func):
            raise TypeError(f"{cls.__name__}() takes no arguments (or decorates a function), got {func!r}")
        return switch(func)  # `@no_grad` without parentheses

    def __init__(self, func: Callable | None = None) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> ModeSwitch:
        self._saved.append(getattr(mode, self.flag))
        setattr(mode, self.flag, self.value)
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(mode, self.flag, self._saved.pop())

    def _fresh(self) -> ModeSwitch:
        """A new switch of the same kind: each call of a decorated function gets its own."""
        switch = object.__new__(type(self))
        switch.__dict__.update(self.__dict__)
        switch._saved = []
        return switch

    def __call__(self, func: Callable) -> Callable:
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def switched(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return func(*args, **kwargs)

        return switched

    def _wrap_generator(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def switched(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                generator = func(*args, **kwargs)
            try:
                with self._fresh():
                    item = generator.send(None)
                while True:
                    try:
                        sent = yield item
                    except GeneratorExit:
                        with self._fresh():
                            generator.close()
                        raise
                    except BaseException as error:
                        with self._fresh():
                            item = generator.throw(error)
                    else:
                        with self._fresh():
                            item = generator.send(sent)
            except StopIteration as stop:
                return stop.value

        return switched


class no_grad(ModeSwitch):  # noqa: N801  # PyTorch's name
    """Inside this block (or decorated function) operations record no graph."""

    flag, value = "grad_enabled", False


class enable_grad(ModeSwitch):  # noqa: N801  # PyTorch's name
    """Turn graph recording back on inside a `no_grad` block."""

    flag, value = "grad_enabled", True


class set_grad_enabled(ModeSwitch):  # noqa: N801  # PyTorch's name
    """As in PyTorch, the call itself sets recording on or off in this thread: `set_grad_enabled(False)`
    alone turns it off until `set_grad_enabled(True)`. As a block or decorator it is `no_grad()` /
    `enable_grad()`, and puts back the state found before the call.
    """

    flag = "grad_enabled"

    def __new__(cls, enabled: bool):
        if not isinstance(enabled, bool):
            raise TypeError(f"set_grad_enabled takes True or False, got {enabled!r}")
        return object.__new__(cls)

    def __init__(self, enabled: bool) -> None:
        super().__init__()
        self.value = enabled
        self._before: bool | None = mode.grad_enabled  # what a `with` on this call restores
        mode.grad_enabled = enabled

    def __enter__(self) -> ModeSwitch:
        super().__enter__()
        if self._before is not None:  # `with set_grad_enabled(x):` restores the state before the call
            self._saved[-1], self._before = self._before, None
        return self

    def __call__(self, func: Callable) -> Callable:
        if self._before is not None:  # decorating switches nothing now: undo the call's setting
            mode.grad_enabled, self._before = self._before, None
        return super().__call__(func)


def is_grad_enabled() -> bool:
    """True when operations record the graph (outside `no_grad`) in this thread."""
    return mode.grad_enabled
