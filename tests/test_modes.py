"""Grad-mode and anomaly switches are per thread and re-entrant (issue 11, bugs 1 and 2), as in PyTorch.

Threads are interleaved with events, not sleeps, so each test sees one fixed order of
operations; every scenario is run next to torch's own switches, which behave the same way.
"""

import threading

import pytest
import torch

from autograd import Tensor, Value, detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from autograd.mode import mode


def in_thread(target):
    """Run `target` in a fresh thread and return what it returned (re-raising its exception)."""
    result = {}

    def run():
        try:
            result["value"] = target()
        except BaseException as error:  # handed to the caller
            result["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the thread did not finish"
    if "error" in result:
        raise result["error"]
    return result.get("value")


@pytest.mark.parametrize("lib", ["ours", "torch"])
def test_no_grad_in_one_thread_leaves_recording_on_in_another(lib):
    """Bug 1: a no_grad() in a predict thread switched off recording for the training thread."""
    switch, enabled = (no_grad, is_grad_enabled) if lib == "ours" else (torch.no_grad, torch.is_grad_enabled)
    inside, done = threading.Event(), threading.Event()

    def other():
        with switch():
            inside.set()
            done.wait(timeout=30)
        return enabled()

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(timeout=30)
    seen_here = enabled()
    if lib == "ours":
        w = Value(2.0)
        (w * w).backward()
        assert w.grad == 4.0
    done.set()
    thread.join(timeout=30)
    assert seen_here is True and enabled() is True


@pytest.mark.parametrize("lib", ["ours", "torch"])
def test_interleaved_no_grad_blocks_in_two_threads_leave_grad_mode_on(lib):
    """Two threads enter no_grad and leave it in the opposite order: each restores only its own flag."""
    switch, enabled = (no_grad, is_grad_enabled) if lib == "ours" else (torch.no_grad, torch.is_grad_enabled)
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with switch():
            a_in.set()
            b_in.wait(timeout=30)
        a_out.set()
        seen["a"] = enabled()

    def b():
        a_in.wait(timeout=30)
        with switch():
            b_in.set()
            a_out.wait(timeout=30)
        seen["b"] = enabled()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert seen == {"a": True, "b": True}
    assert enabled() is True


def test_a_new_thread_starts_with_grad_mode_on_whatever_this_thread_has():
    with no_grad():
        assert in_thread(is_grad_enabled) is True
        with torch.no_grad():
            assert in_thread(torch.is_grad_enabled) is True


def test_detect_anomaly_is_per_thread():
    with detect_anomaly():
        assert mode.anomaly
        assert in_thread(lambda: mode.anomaly) is False
    assert in_thread(lambda: (detect_anomaly().__enter__(), mode.anomaly)[1]) is True
    assert mode.anomaly is False


# --- re-entrant switches (bug 2) -----------------------------------------------------------


@pytest.mark.parametrize("lib", ["ours", "torch"])
def test_a_recursive_no_grad_function_restores_grad_mode(lib):
    """Bug 2: the decorator reused one instance; after one recursive call grad mode stayed off for good."""
    switch, enabled = (no_grad, is_grad_enabled) if lib == "ours" else (torch.no_grad, torch.is_grad_enabled)

    @switch()
    def countdown(n):
        assert not enabled()
        return 0 if n == 0 else 1 + countdown(n - 1)

    assert countdown(5) == 5
    assert enabled() is True


def test_recursive_enable_grad_inside_no_grad_restores_each_level():
    @enable_grad()
    def nested(n):
        assert is_grad_enabled()
        if n:
            with no_grad():
                assert not is_grad_enabled()
                nested(n - 1)
                assert not is_grad_enabled()
        return is_grad_enabled()

    with no_grad():
        assert nested(4) is True
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_recursive_detect_anomaly_decorator_restores_the_flag():
    @detect_anomaly()
    def deep(n):
        assert mode.anomaly
        return n if n == 0 else deep(n - 1)

    deep(3)
    assert mode.anomaly is False


def test_no_grad_without_parentheses_decorates_as_torch_does():
    @no_grad
    def ours(x):
        return x * 2.0, is_grad_enabled()

    @torch.no_grad
    def theirs(x):
        return x * 2.0, torch.is_grad_enabled()

    out, enabled = ours(Tensor([1.0], requires_grad=True))
    tout, tenabled = theirs(torch.ones(1, requires_grad=True))
    assert (enabled, out.requires_grad) == (tenabled, tout.requires_grad) == (False, False)
    assert is_grad_enabled() and torch.is_grad_enabled()


def test_no_grad_on_a_generator_switches_around_each_step_only():
    @no_grad()
    def steps():
        for _ in range(3):
            yield is_grad_enabled()

    @torch.no_grad()
    def torch_steps():
        for _ in range(3):
            yield torch.is_grad_enabled()

    gen, tgen = steps(), torch_steps()
    for _ in range(3):
        assert next(gen) is next(tgen) is False
        assert is_grad_enabled() and torch.is_grad_enabled()  # between steps the caller's mode is back


def test_set_grad_enabled_nested_and_after_an_exception():
    def fail_inside():
        with set_grad_enabled(False), set_grad_enabled(True):
            assert is_grad_enabled()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_inside()
    assert is_grad_enabled()


class Lib:
    """The grad switches and a recording check of one library, so a scenario runs on both."""

    def __init__(self, ours: bool):
        self.ours = ours
        namespace = __import__("autograd") if ours else torch
        self.set_grad_enabled, self.no_grad, self.enable_grad = (
            namespace.set_grad_enabled,
            namespace.no_grad,
            namespace.enable_grad,
        )
        self.is_grad_enabled = namespace.is_grad_enabled

    def records(self) -> bool:
        """Flag and behaviour together: does an op on a leaf that requires grad record?"""
        leaf = Tensor([1.0], requires_grad=True) if self.ours else torch.ones(1, requires_grad=True)
        recorded = (leaf * 2).requires_grad
        assert recorded == self.is_grad_enabled()
        return recorded


def plain_calls(lib):
    seen = [lib.records()]
    lib.set_grad_enabled(False)
    seen.append(lib.records())
    with lib.enable_grad():
        seen.append(lib.records())
    seen.append(lib.records())
    lib.set_grad_enabled(True)
    seen.append(lib.records())
    return seen


def plain_call_inside_a_block(lib):
    seen = []
    with lib.no_grad():
        lib.set_grad_enabled(True)
        seen.append(lib.records())
    seen.append(lib.records())
    lib.set_grad_enabled(False)
    with lib.no_grad():
        lib.set_grad_enabled(True)
        seen.append(lib.records())
    seen.append(lib.records())
    lib.set_grad_enabled(True)
    seen.append(lib.records())
    return seen


def as_a_block_and_a_decorator(lib):
    seen = []
    with lib.set_grad_enabled(False):
        seen.append(lib.records())
        with lib.set_grad_enabled(True):
            seen.append(lib.records())
        seen.append(lib.records())
    seen.append(lib.records())

    @lib.set_grad_enabled(False)
    def inside():
        return lib.records()

    seen.append(lib.records())  # decorating switched nothing
    seen += [inside(), lib.records(), inside()]
    return seen


def other_threads_keep_recording(lib):
    lib.set_grad_enabled(False)
    try:
        return [lib.records(), in_thread(lib.records), lib.records()]
    finally:
        lib.set_grad_enabled(True)


@pytest.mark.parametrize(
    "scenario", [plain_calls, plain_call_inside_a_block, as_a_block_and_a_decorator, other_threads_keep_recording]
)
def test_set_grad_enabled_called_alone_switches_as_torchs(scenario):
    """torch.set_grad_enabled(False) on its own line turns recording off in this thread (bug: it did nothing)."""
    theirs = scenario(Lib(ours=False))
    ours = scenario(Lib(ours=True))
    assert ours == theirs
    assert False in ours
    assert is_grad_enabled() and torch.is_grad_enabled()
