"""The import's collector thresholds: raised while any import of the process runs, put back after."""

from __future__ import annotations

import gc
import threading

import pytest

from connector.services.imports.collector import IMPORT_THRESHOLDS, fewer_collections


def test_thresholds_are_raised_during_an_import_and_put_back_after() -> None:
    before = gc.get_threshold()
    assert before != IMPORT_THRESHOLDS
    with fewer_collections():
        assert gc.get_threshold() == IMPORT_THRESHOLDS
    assert gc.get_threshold() == before


def test_they_are_put_back_when_the_import_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the import failed")
    assert gc.get_threshold() == before


def test_overlapping_imports_put_them_back_only_when_the_last_one_ends() -> None:
    before = gc.get_threshold()
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[tuple[int, int, int]] = []

    def first() -> None:
        with fewer_collections():
            first_in.set()
            second_done.wait(5)
            seen.append(gc.get_threshold())  # the second ended first: still raised for this one

    thread = threading.Thread(target=first)
    thread.start()
    assert first_in.wait(5)
    with fewer_collections():
        pass
    second_done.set()
    thread.join(5)
    assert seen == [IMPORT_THRESHOLDS]
    assert gc.get_threshold() == before
