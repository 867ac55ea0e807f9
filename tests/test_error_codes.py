"""Every project error reaches ``SelectaError`` and carries a stable code and a status a client can act on.

The API maps errors to JSON in one handler and the CLI prints ``error[code]``, both from the class alone,
so an exception class outside the root would surface as a 500 "bug", and a code two errors share would
leave a client unable to tell them apart. The test imports every module of the four packages, so a new
module or class is checked without being listed here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections import defaultdict
from types import ModuleType

from core.errors import SelectaError, error_code

PACKAGES = ("core", "dj", "recommender", "services")
CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def project_modules() -> list[ModuleType]:
    modules = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        modules.append(package)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            modules.append(importlib.import_module(info.name))
    return modules


def project_exceptions() -> list[type[BaseException]]:
    """Every exception class defined in the packages (not imported into a module from elsewhere)."""
    found = {
        cls
        for module in project_modules()
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, BaseException) and cls.__module__ == module.__name__
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def selecta_errors() -> list[type[SelectaError]]:
    """``SelectaError`` and every subclass of it, walked through ``__subclasses__``."""
    seen: list[type[SelectaError]] = []
    todo: list[type[SelectaError]] = [SelectaError]
    while todo:
        cls = todo.pop()
        if cls not in seen and cls.__module__.split(".")[0] in PACKAGES:
            seen.append(cls)
            todo.extend(cls.__subclasses__())
    return seen


def test_every_project_exception_reaches_the_root() -> None:
    exceptions = project_exceptions()
    assert len(exceptions) >= 30  # the walk imported the packages, it did not find an empty tree
    outside = [cls for cls in exceptions if not issubclass(cls, SelectaError)]
    assert [f"{cls.__module__}.{cls.__qualname__}" for cls in outside] == []


def test_every_error_has_a_code_and_a_client_or_unavailable_status() -> None:
    errors = selecta_errors()
    assert len(errors) >= 30
    for cls in errors:
        assert isinstance(cls.code, str) and CODE.fullmatch(cls.code), cls
        assert 400 <= cls.status < 500 or cls.status == 503, cls  # a 500 is a bug, never a class of error


def test_codes_are_unique_unless_inherited_on_purpose() -> None:
    """Each class that sets ``code`` sets one no other class sets; a subclass that keeps its parent's code
    (it only narrows the parent for callers) keeps its status too, so one code always means one status."""
    defined: dict[str, list[str]] = defaultdict(list)
    statuses: dict[str, set[int]] = defaultdict(set)
    for cls in selecta_errors():
        if "code" in vars(cls):
            defined[cls.code].append(f"{cls.__module__}.{cls.__qualname__}")
        statuses[cls.code].add(cls.status)
    assert {code: names for code, names in defined.items() if len(names) > 1} == {}
    assert {code: found for code, found in statuses.items() if len(found) > 1} == {}


def test_error_code_is_the_stable_code_or_the_class_of_a_bug() -> None:
    from services.store import StoreUnavailableError

    assert error_code(StoreUnavailableError("gone")) == "store_unavailable"
    assert error_code(KeyError("x")) == "KeyError"
