"""The exercise machinery: a registry of exercises, `check` that answers like a teacher, `hint`, `solution`.

An exercise is a function that receives the learner's answers as keyword arguments and returns
None when they are right, or a sentence saying what is off. Its solution and the mistakes it
must recognise live beside it, so the test suite can run them all.

The vocabulary for writing checks:

- `diagnose(got, expected, name=..., mistakes=..., factors=...)` compares a number or an array
  and, when it is off, says how (wrong type, wrong shape, the sign, a constant factor such as
  "3x too large", a named mistake, which entries, the direction) without ever printing `expected`.
- `check_function(learner_fn, reference_fn, make_inputs, trials=...)` runs the learner's code and
  the reference on several random inputs (and shapes) and diagnoses the first disagreement.
- `forbid=[(np, "tanh"), ...]` (for `check_function`, or the `forbidden(...)` context manager with
  `uses(fn, ...)`) rules out a shortcut: while the learner's code runs, the forbidden function raises
  `ShortcutError`, and a learner function that *is* (or names) the forbidden function is refused too.
- `solution(id)` prints the solution's source, and only when asked.
"""

from __future__ import annotations

import contextlib
import inspect
import textwrap
import types
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NOT_ATTEMPTED = "not attempted yet: fill in the cell above (replace each ... with your answer), then run it again"


class NotAttemptedError(Exception):
    """Raised inside a check when the learner's code still returns `...`."""


class ShortcutError(Exception):
    """Raised when the learner's code calls a function the task rules out."""


class AnswerFormError(Exception):
    """Raised inside a check when an answer is not of the form asked for; its message says which form."""


@dataclass
class Exercise:
    id: str
    title: str
    check: Callable[..., str | None]
    hint: str
    solution: Callable[[], dict]
    mistakes: list[tuple[Callable[[], dict], str]]  # (the mistaken answers, a phrase the message must contain)
    kind: str  # "number" (the learner types values) or "code" (the learner writes a function or class)
    praise: str = ""
    perturb: Callable[[dict, str], dict] | None = None  # how to make the zeros / negated / ×1.1 answers


@dataclass
class Result:
    id: str
    status: str  # "right", "wrong" or "not attempted"
    message: str = field(default="")

    @property
    def passed(self) -> bool:
        return self.status == "right"


EXERCISES: dict[str, Exercise] = {}


def exercise(
    id: str,
    title: str,
    *,
    hint: str,
    solution: Callable[[], dict],
    mistakes: Sequence[tuple[Callable[[], dict], str]],
    kind: str = "number",
    praise: str = "",
    perturb: Callable[[dict, str], dict] | None = None,
) -> Callable:
    """Register the decorated check function as exercise `id`.

    `mistakes` lists plausible wrong answers, each with a phrase its message must contain
    (the tests run them all). `kind` is "number" or "code".
    """
    if kind not in ("number", "code"):
        raise ValueError(f"kind must be 'number' or 'code', got {kind!r}")
    if not mistakes:
        raise ValueError(f"exercise {id} lists no mistakes: name at least one wrong answer it recognises")

    def register(check: Callable[..., str | None]) -> Callable[..., str | None]:
        if id in EXERCISES:
            raise ValueError(f"exercise {id} is registered twice")
        EXERCISES[id] = Exercise(id, title, check, hint, solution, list(mistakes), kind, praise, perturb)
        return check

    return register


def _contains_ellipsis(value: Any) -> bool:
    if value is Ellipsis:
        return True
    if isinstance(value, (tuple, list)):
        return any(_contains_ellipsis(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_ellipsis(v) for v in value.values())
    return False


def attempted(value: Any) -> Any:
    """The value itself, or NotAttemptedError if it (or any part of it) is still `...`."""
    if _contains_ellipsis(value):
        raise NotAttemptedError
    return value


def run(id: str, **answers: Any) -> Result:
    """Check the answers to exercise `id` and return the verdict (the notebooks call `check`)."""
    if id not in EXERCISES:
        raise KeyError(f"there is no exercise {id!r}; known: {', '.join(sorted(EXERCISES, key=_order))}")
    ex = EXERCISES[id]
    if any(_contains_ellipsis(v) for v in answers.values()):
        return Result(id, "not attempted", f"Exercise {id}: {NOT_ATTEMPTED}.")
    if ex.kind == "code":
        for name, value in ex.solution().items():
            if callable(value) and not callable(answers.get(name, value)):
                what = "a class (class ...)" if isinstance(value, type) else "a function (def ... or lambda)"
                return Result(
                    id, "wrong", f"✗ Exercise {id}: {name} should be {what}, but it is {_kind_of(answers[name])}."
                )
    expected = set(inspect.signature(ex.check).parameters)
    if set(answers) != expected:
        missing, extra = sorted(expected - set(answers)), sorted(set(answers) - expected)
        said = []
        if missing:
            said.append(f"it needs {', '.join(missing)}")
        if extra:
            said.append(f"it does not take {', '.join(extra)}")
        return Result(id, "wrong", f"✗ Exercise {id}: {' and '.join(said)} (check the names in the cell).")
    try:
        with np.errstate(all="ignore"):
            problem = ex.check(**answers)
    except NotAttemptedError:
        return Result(id, "not attempted", f"Exercise {id}: {NOT_ATTEMPTED}.")
    except (ShortcutError, AnswerFormError) as said:
        problem = str(said)
    except Exception as error:
        return Result(
            id,
            "wrong",
            f"✗ Exercise {id}: your code raised {type(error).__name__}: {error}\n"
            f"  Read the message, fix the cell and run it again (hint('{id}') for a hint).",
        )
    if problem:
        return Result(id, "wrong", f"✗ Exercise {id}: {problem}\n  Try again, or ask for a hint: hint('{id}').")
    return Result(id, "right", f"✓ Exercise {id}: right. {ex.praise}".rstrip())


def check(id: str, **answers: Any) -> None:
    """Check the answers to exercise `id` and print what a teacher would say. Never raises on a wrong answer."""
    print(run(id, **answers).message)


def hint(id: str) -> None:
    """Print the hint for exercise `id`."""
    print(f"Hint for {id}: {EXERCISES[id].hint}")


def solution(id: str) -> None:
    """Print exercise `id`'s solution (try it yourself first): its source, and the values it gives."""
    ex = EXERCISES[id]
    source = textwrap.dedent(inspect.getsource(ex.solution)).strip()
    print(source)
    for name, value in ex.solution().items():
        if inspect.isfunction(value) and value.__name__ != "<lambda>" and f"def {value.__name__}" not in source:
            print(inspect.getsource(value))  # a function the solution names but does not spell out
        elif not callable(value):
            print(
                f"  {name} = {value!r}" if isinstance(value, (str, list, tuple, bool)) else f"  {name} = {fmt(value)}"
            )


def _order(id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in id.split("."))


# ---- what the tests watch: every expected value a check compared against -----------------------

_watching: list[list[Any]] = []


@contextlib.contextmanager
def watch_expected() -> Iterator[list[Any]]:
    """Collect every `expected` that diagnose compares against (tests assert none is printed)."""
    seen: list[Any] = []
    _watching.append(seen)
    try:
        yield seen
    finally:
        _watching.remove(seen)


def _record(expected: Any) -> None:
    for seen in _watching:
        seen.append(expected)


# ---- comparing numbers and arrays -------------------------------------------------------------


def fmt(x: Any) -> str:
    """A number or array, short enough for a sentence (for the learner's own values and the inputs)."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (float, np.floating)):
        return f"{x:.4g}"
    if isinstance(x, (int, np.integer)):
        return str(x)
    array = np.asarray(x, dtype=float)
    if array.ndim == 0:
        return f"{float(array):.4g}"
    return np.array2string(array, precision=4, suppress_small=True, separator=", ")


def as_numbers(answer: Any) -> np.ndarray | None:
    """The answer as a float array, or None if it is not numbers (a string, None, a bool, ...)."""
    if isinstance(answer, (str, bytes, bool, np.bool_)) or answer is None:
        return None
    try:
        array = np.asarray(answer, dtype=float)
    except Exception:  # TypeError, ValueError, or a library's own (a torch tensor that requires grad)
        return None
    if array.dtype == object:
        return None
    return array


def is_number(answer: Any) -> bool:
    """True for one finite number (not a string, a bool, a list or nan)."""
    array = as_numbers(answer)
    return array is not None and array.ndim == 0 and bool(np.isfinite(array))


def _kind_of(value: Any) -> str:
    if isinstance(value, str):
        return f"the string {value!r} (in quotes)"
    if value is None:
        return "None (did the function forget to `return`?)"
    if isinstance(value, (bool, np.bool_)):
        return f"the truth value {value}"
    return f"a {type(value).__name__}"


def _simple_factor(ratio: float) -> float | None:
    """|ratio| or 1/|ratio| when it is a simple number (2 … 12, 100, 1000, 1.5, 2.5, 1.25, 1.1, …), else None."""
    size = abs(ratio)
    factor = size if size >= 1 else 1 / size
    for denominator, below in ((1, 12.5), (2, 5), (4, 2), (10, 2)):
        simple = round(factor * denominator) / denominator
        if 1 < simple < below and abs(simple - factor) <= 1e-3 * factor:
            return simple
    for power in (100.0, 1000.0):
        if abs(power - factor) <= 1e-3 * factor:
            return power
    return None


def _factor_words(ratio: float) -> str | None:
    """'3x too large' / '2x too small' / '1.1x too large' when the factor is simple, else None."""
    factor = _simple_factor(ratio)
    if factor is None:
        return None
    return f"{factor:g}x {'too large' if abs(ratio) > 1 else 'too small'}"


def diagnose(
    got: Any,
    expected: Any,
    *,
    name: str = "your answer",
    mistakes: Iterable[tuple[Any, str]] = (),
    factors: dict[float, str] | None = None,
    rtol: float = 1e-2,
    atol: float = 1e-3,
    integer: bool = False,
) -> str | None:
    """None if `got` matches `expected`; else a sentence saying how it is off, never what `expected` is.

    In order: not numbers (a string, None, ...), not a whole number where one is asked (`integer`),
    the wrong shape, nan/inf, a named mistake (`mistakes`: pairs of a wrong value and what to say
    when `got` equals it), the sign, zero, a constant factor (with the words `factors` gives for it,
    e.g. {3: "did you sum where the mean is asked?"}; the factor is rounded to a simple fraction),
    and otherwise which entries are off and in which direction.
    """
    _record(expected)
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)):
            return f"{name} should be True or False (no quotes), but it is {_kind_of(got)}"
        return None if bool(got) == bool(expected) else f"{name} is {bool(got)}, but it is not"
    e = np.asarray(expected, dtype=float)
    a = as_numbers(got)
    if a is None:
        wanted = "a number" if e.ndim == 0 else f"an array of numbers of shape {e.shape}"
        return f"{name} should be {wanted}, but it is {_kind_of(got)}"
    if a.shape != e.shape:
        if a.size == e.size and a.ndim == e.ndim == 2:
            return f"{name} has shape {a.shape}, but it should have shape {e.shape}: transposed?"
        return f"{name} has shape {a.shape}, but it should have shape {e.shape}"
    if not np.all(np.isfinite(a)):
        return f"{name} contains nan or inf: something overflowed or divided by zero"
    if np.allclose(a, e, rtol=rtol, atol=atol):
        return None
    for wrong, message in mistakes:
        w = as_numbers(wrong)
        if w is not None and w.shape == a.shape and np.allclose(a, w, rtol=rtol, atol=atol):
            return f"{name} is off: {message}"
    if integer and not np.all(a == np.round(a)):
        if a.ndim == 0:
            return (
                f"{name} should be a whole number, and {fmt(got)} is not: round up or down, whichever the question asks"
            )
        return f"{name} should hold whole numbers (indices or counts), and {fmt(got)} does not"
    nonzero = np.abs(e) > atol
    if nonzero.any() and np.allclose(a, -e, rtol=rtol, atol=atol):
        return f"{name} has the right size but the wrong sign"
    if np.allclose(a, 0, atol=atol):
        return f"{name} is {'0' if a.ndim == 0 else 'all zeros'}, and it should not be"
    if np.allclose(a[~nonzero], 0, atol=atol):  # where expected is 0, got is 0 too: compare the rest
        ratios = (a[nonzero] / e[nonzero]).ravel()
        if np.all(np.abs(ratios) > 1e-12) and np.allclose(ratios, ratios[0], rtol=rtol):
            words = _factor_words(float(ratios[0]))
            negative = ratios[0] < 0
            if words is None:  # a factor that is no simple number would only spell out the answer
                words = "too large" if abs(ratios[0]) > 1 else "too small"
                if a.ndim:
                    words = f"{words} by one common factor"
            if a.ndim:
                said = f"{name} has {'the wrong sign and ' if negative else ''}the right pattern but is {words}"
            else:
                said = f"{name} {'has the wrong sign and ' if negative else ''}is {words}"
            for known, advice in (factors or {}).items():  # keyed by got/expected: 3 is "3x too large"
                if abs(ratios[0] - known) <= rtol * abs(known):
                    return f"{said}: {advice}"
            return said
    if a.ndim == 0:
        return f"{name} is too {'large' if a > e else 'small'}"
    off = ~np.isclose(a, e, rtol=rtol, atol=atol)
    where = [tuple(int(i) for i in index) if len(index) > 1 else int(index[0]) for index in np.argwhere(off)]
    shown = ", ".join(str(w) for w in where[:6]) + (", …" if len(where) > 6 else "")
    if off.sum() == off.size:
        return f"{name} is off in every entry"
    directions = " or ".join(
        sorted({"too large" if a[i] > e[i] else "too small" for i in map(tuple, np.argwhere(off))})
    )
    entries = "entry" if len(where) == 1 else "entries"
    return f"{name} is off at {entries} {shown} ({directions}); the others are right"


# ---- ruling out shortcuts ---------------------------------------------------------------------


_INHERITED = object()
Forbidden = tuple  # (owner, attribute) or (owner, attribute, what to call it in the message)


def _label(target: Forbidden) -> str:
    owner, attribute = target[0], target[1]
    if len(target) > 2:
        return target[2]
    module = getattr(owner, "__name__", type(owner).__name__)
    short = {"numpy": "np"}.get(module, module)
    return f"{short}.{attribute}"


@contextlib.contextmanager
def forbidden(*targets: Forbidden) -> Iterator[None]:
    """While the block runs, each `owner.attribute` raises ShortcutError naming itself when called."""
    saved = []
    try:
        for target in targets:
            owner, attribute = target[0], target[1]
            # a class gets back exactly what it held itself (or nothing, if it inherited the attribute)
            original = vars(owner).get(attribute, _INHERITED) if isinstance(owner, type) else getattr(owner, attribute)

            def refuse(*args: Any, _label: str = _label(target), **kwargs: Any) -> Any:
                raise ShortcutError(f"your code calls {_label}, which this task rules out: write it yourself")

            saved.append((owner, attribute, original))
            setattr(owner, attribute, refuse)
        yield
    finally:
        for owner, attribute, original in reversed(saved):
            if original is _INHERITED:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)


def _code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _referenced(fn: Any, depth: int = 3) -> Iterator[Any]:
    """The objects fn's code can reach by name: its globals and closure cells, recursively into
    functions the learner wrote (not into libraries)."""
    fn = getattr(fn, "__func__", fn)
    if isinstance(fn, type):
        for member in vars(fn).values():
            yield from _referenced(getattr(member, "__func__", member), depth)
        return
    code = getattr(fn, "__code__", None)
    if code is None or depth == 0:
        return
    scope = dict(getattr(fn, "__globals__", {}))
    for cell_name, cell in zip(code.co_freevars, getattr(fn, "__closure__", None) or ()):
        with contextlib.suppress(ValueError):
            scope[cell_name] = cell.cell_contents
    names = {name for c in _code_objects(code) for name in c.co_names + c.co_freevars}
    for referenced in names:
        if referenced in scope:
            value = scope[referenced]
            yield value
            if isinstance(value, (types.ModuleType, type)):  # `np.tanh`: the attribute, too
                for attribute in names:
                    with contextlib.suppress(Exception), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        yield getattr(value, attribute)
            if isinstance(value, types.FunctionType) and value.__module__ == fn.__module__ and value is not fn:
                yield from _referenced(value, depth - 1)


def uses(fn: Any, *objects: Any) -> Any | None:
    """The first of `objects` that fn is, or reaches by name (`from numpy import tanh` included), or None."""
    for obj in objects:
        if fn is obj:
            return obj
    for reached in _referenced(fn):
        for obj in objects:
            if reached is obj:
                return obj
    return None


def names_used(fn: Any) -> set[str]:
    """Every global or attribute name in fn's code (nested functions included): `np.exp` gives 'np', 'exp'."""
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return set()
    return {name for c in _code_objects(code) for name in c.co_names}


def refuse_shortcuts(fn: Any, forbid: Sequence[Forbidden]) -> str | None:
    """A sentence if fn is, or names, one of the forbidden functions (checked before running it)."""
    originals = {id(getattr(target[0], target[1])): _label(target) for target in forbid}
    found = uses(fn, *(getattr(target[0], target[1]) for target in forbid))
    if found is not None:
        return f"your code uses {originals[id(found)]}, which this task rules out: write it yourself"
    return None


def defining_class(cls: type, attribute: str) -> type:
    """The class in cls's MRO that defines `attribute` (what `forbidden` must patch)."""
    return next(c for c in cls.__mro__ if attribute in vars(c))


# ---- checking the learner's code --------------------------------------------------------------


def _copy(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value


def describe_inputs(args: Sequence[Any], names: Sequence[str] = ()) -> str:
    """'with W1 of shape (3, 4), b1 of shape (3,)' / 'with n = 10, k = 3' / 'on an input of shape (5,)'."""
    parts = []
    for position, arg in enumerate(args):
        array = as_numbers(arg)
        shown = repr(arg) if array is None else fmt(arg) if array.ndim == 0 else f"shape {array.shape}"
        if position < len(names):
            parts.append(
                f"{names[position]} of {shown}" if shown.startswith("shape") else f"{names[position]} = {shown}"
            )
        else:
            parts.append(shown)
    if not names:
        if len(parts) == 1:
            return f"on an input of {parts[0]}" if parts[0].startswith("shape") else f"on the input {parts[0]}"
        return "on inputs of " + ", ".join(parts)
    return "with " + ", ".join(parts)


def check_function(
    learner_fn: Any,
    reference_fn: Callable[..., Any],
    make_inputs: Callable[[np.random.Generator], Sequence[Any]],
    *,
    trials: int = 6,
    name: str = "your function",
    outputs: Sequence[str] | None = None,
    mistakes: Iterable[tuple[Callable[..., Any], str]] = (),
    factors: dict[float, str] | None = None,
    forbid: Sequence[Forbidden] = (),
    seed: int = 0,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    integer: bool = False,
) -> str | None:
    """Run learner_fn and reference_fn on `trials` random inputs from make_inputs(rng) and compare.

    `outputs` names the parts when both return a tuple (e.g. ("dW1", "db1")). `mistakes` pairs a
    mistaken version of the reference with what to say when the learner's output matches it on
    that input. `forbid` lists (owner, attribute) the learner's code must not call. The message
    names the input (its shape) and how the output is off, never the reference's output.
    """
    if not callable(learner_fn):
        return (
            f"{name.removeprefix('your ')} should be a function (def ... or lambda), but it is {_kind_of(learner_fn)}"
        )
    refused = refuse_shortcuts(learner_fn, forbid)
    if refused:
        return refused
    mistakes = list(mistakes)
    try:
        names = list(inspect.signature(reference_fn).parameters)
    except (TypeError, ValueError):
        names = []
    if any(name.startswith("_") or name in ("args", "kwargs") for name in names):
        names = []
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        args = tuple(make_inputs(rng))
        expected = reference_fn(*_copy(args))
        try:
            with forbidden(*forbid):
                got = learner_fn(*_copy(args))
        except ShortcutError as shortcut:
            return str(shortcut)
        attempted(got)
        where = describe_inputs(args, names)
        if outputs is not None:
            if not isinstance(got, (tuple, list)) or len(got) != len(outputs):
                count = len(got) if isinstance(got, (tuple, list)) else 1
                return f"{name} should return {len(outputs)} things, {', '.join(outputs)}; it returned {count}"
            pairs = list(zip(outputs, got, expected))
        else:
            pairs = [("output", got, expected)]
        for index, (part, got_part, expected_part) in enumerate(pairs):
            label = f"{where}, your {part}" if outputs is not None else f"{where}, {name}'s output"
            named = []
            for mistaken, message in mistakes:
                try:
                    wrong = mistaken(*_copy(args))
                except Exception:  # a mistake that cannot even run on this input is not the learner's
                    continue
                named.append((wrong[index] if outputs is not None else wrong, message))
            problem = diagnose(
                got_part,
                expected_part,
                name=label,
                mistakes=named,
                factors=factors,
                rtol=rtol,
                atol=atol,
                integer=integer,
            )
            if problem:
                if "all zeros" in problem or "is 0," in problem:
                    return problem
                return _ignores_its_input(learner_fn, make_inputs, rng, got, forbid) or problem
    return None


def _ignores_its_input(learner_fn, make_inputs, rng, got, forbid) -> str | None:
    """A sentence if the learner's function gives the very same output on three other random inputs."""
    for _ in range(3):
        args = tuple(make_inputs(rng))
        try:
            with forbidden(*forbid):
                again = learner_fn(*_copy(args))
            same = np.array_equal(np.asarray(again, dtype=float), np.asarray(got, dtype=float))
        except Exception:
            return None
        if not same:
            return None
    return "your function gives the same answer whatever its input: compute the answer from the input it receives"


def sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))
