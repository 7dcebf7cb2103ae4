"""The dependency locks hold what pyproject.toml asks for, and agree with each other.

A deploy installs requirements.txt (the runtime lock) and a developer the development
lock; a dependency added to pyproject.toml without `make lock` would be missing from
one of them, and a hand edit could make them disagree. Both show here, offline.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")
_HASH = re.compile(r"--hash=(sha256:[0-9a-f]{64})")


def pins(name: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Package -> (version, hashes) of one lock file, for this interpreter.

    The locks are universal: a package may be pinned once per range of Python versions
    (numpy, for one, dropped 3.11), each pin behind an environment marker.
    """
    found: dict[str, tuple[str, frozenset[str]]] = {}
    current: str | None = None
    for line in (ROOT / name).read_text("utf-8").splitlines():
        if match := _PIN.match(line):
            current = None
            if match[3] is not None and not Marker(match[3]).evaluate():
                continue
            current = canonicalize_name(match[1])
            assert current not in found, f"{name} pins {current} twice for this Python"
            found[current] = (match[2], frozenset())
        elif current is not None and (digest := _HASH.search(line)):
            version, hashes = found[current]
            found[current] = (version, hashes | {digest[1]})
    return found


RUNTIME = pins("requirements.lock")
DEVELOPMENT = pins("requirements-dev.lock")


@pytest.mark.parametrize(
    ("declared", "lock"),
    [
        (PYPROJECT["project"]["dependencies"], RUNTIME),
        (PYPROJECT["project"]["dependencies"], DEVELOPMENT),
        (PYPROJECT["dependency-groups"]["dev"], DEVELOPMENT),
    ],
    ids=["runtime-lock", "development-lock", "development-tools"],
)
def test_every_declared_dependency_is_pinned_within_its_range(
    declared: list[str], lock: dict[str, tuple[str, frozenset[str]]]
) -> None:
    for text in declared:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{name} is not locked: run `make lock`"
        version, _ = lock[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{name}=={version} is outside {requirement.specifier}: run `make lock`"
        )


def test_every_pin_carries_hashes() -> None:
    for lock in (RUNTIME, DEVELOPMENT):
        assert [name for name, (_, hashes) in lock.items() if not hashes] == []


def test_the_development_lock_runs_what_production_runs() -> None:
    # Same version and same files for every package both install, so the tests run
    # the very code a deploy runs.
    assert {name: DEVELOPMENT.get(name) for name in RUNTIME} == RUNTIME


def test_a_deploy_installs_the_runtime_lock() -> None:
    lines = (ROOT / "requirements.txt").read_text("utf-8").splitlines()
    assert [line for line in lines if line and not line.startswith("#")] == [
        "-r requirements.lock"
    ]
