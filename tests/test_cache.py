"""guard/cache.py: the cache folder's helpers."""

from __future__ import annotations

import importlib
import importlib.metadata as md
import sys
from pathlib import Path

import pytest

from guard.cache import installed_version


@pytest.mark.parametrize(("project", "module"), [
    ("opencc", "opencc"), ("pypinyin", "pypinyin"), ("pyahocorasick", "ahocorasick"),
    ("jieba", "jieba"), ("rich", "rich"), ("regex", "regex")])
def test_the_version_is_the_one_importlib_metadata_gives(project: str, module: str) -> None:
    assert installed_version(project, module) == md.version(project)


def test_a_module_that_is_not_installed_has_no_version() -> None:
    assert installed_version("no-such-project", "no_such_module_here") == "?"


def test_the_dist_info_beside_the_module_names_the_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Names are compared as packaging normalizes them (Some.Name = some_name), and a
    package's folder is looked beside as well as a module's file."""
    (tmp_path / "some_mod.py").write_text("", encoding="utf-8")
    (tmp_path / "Some.Project-2.0.1.dist-info").mkdir()
    (tmp_path / "some_pkg").mkdir()
    (tmp_path / "some_pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "other_project-0.3.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    assert installed_version("some-project", "some_mod") == "2.0.1"
    assert installed_version("Other.Project", "some_pkg") == "0.3"
    assert "some_mod" not in sys.modules and "some_pkg" not in sys.modules  # not imported
