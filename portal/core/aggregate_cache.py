"""Cached aggregates: the public pages' channel capacity, demand and reference lists
(namespace PUBLIC) and the pipeline board's counts per stage (namespace PIPELINE).

Every entry is stored with its namespace's version number, kept in the cache itself, and is
used only while that number is current; a change that moves an aggregate calls
`invalidate(namespace)` inside its transaction, which increments the version once the
transaction commits, so every entry of the namespace becomes stale at once (one call, no key
lists).

Two rules keep the cache from publishing what was never committed:
- the version is bumped on commit, never before, so a reader racing the writer can at worst
  store the old value with the *old* version;
- nothing is read from or written to the cache inside an atomic block: such a read may see the
  block's own uncommitted rows (and a test's wrapping transaction is one such block).
With per-process memory (LocMemCache, no CACHE_URL) another process learns of a bump only when
its entry expires, hence the short TIMEOUT; production sets CACHE_URL (one shared Redis).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction

logger = logging.getLogger(__name__)

PUBLIC = "public"
PIPELINE = "pipeline"
# Event registrations: seats left on the public event pages (portal.core.page_cache).
EVENTS = "events"
TIMEOUT = 60

T = TypeVar("T")


def _version_key(namespace: str) -> str:
    return f"aggregates:{namespace}:version"


def _version(namespace: str) -> int:
    key = _version_key(namespace)
    version = cache.get(key)
    if version is None:
        # A fresh start (or an evicted key) begins at the clock, not at 1, so entries stored
        # under an earlier run's small numbers can never be reached again.
        cache.add(key, time.time_ns() // 1000, timeout=None)
        version = cache.get(key)
    return version


def versions(namespaces: list[str]) -> list[int]:
    """The current version of each namespace, in one round trip when all exist (for keys of
    things cached under several namespaces, such as whole pages)."""
    keys = [_version_key(n) for n in namespaces]
    found = cache.get_many(keys)
    return [found[k] if k in found else _version(n) for k, n in zip(keys, namespaces, strict=True)]


def cached(name: str, compute: Callable[[], T], *, namespace: str = PUBLIC) -> T:
    """`compute()`'s value, from the cache when committed data allows; `name` must be unique
    within the namespace and name everything the value depends on (filters, year).

    The entry is stored with the namespace version it was computed under, and read together
    with the current version in one round trip; an entry of another version is stale.
    """
    if connection.in_atomic_block:
        return compute()
    version_key, key = _version_key(namespace), f"aggregates:{namespace}:{name}"
    try:
        found = cache.get_many([version_key, key])
        version = found.get(version_key)
        if version is None:
            version = _version(namespace)
        entry = found.get(key)
    except Exception:  # a cache outage costs speed, never the page
        logger.warning("cache unavailable for %s", name, exc_info=True)
        return compute()
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return entry[1]
    value = compute()
    try:
        cache.set(key, (version, value), TIMEOUT)
    except Exception:
        logger.warning("cache unavailable for %s", name, exc_info=True)
    return value


def _bump(namespace: str) -> None:
    try:
        cache.incr(_version_key(namespace))
    except ValueError:  # no version yet: the next read starts one
        pass
    except Exception:
        logger.warning("cache unavailable: %s aggregates not invalidated", namespace, exc_info=True)


class Bump:
    """The on-commit callback that increments one namespace's version (a class, so a
    transaction registers it once however many rows it changes)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def __call__(self) -> None:
        _bump(self.namespace)


def invalidate(namespace: str = PUBLIC) -> None:
    """Make every cached aggregate of `namespace` stale once the current transaction commits.

    Call inside the transaction that changes what the namespace counts (PUBLIC: a commitment,
    a channel, a proposal's demand; PIPELINE: a review's stage); outside one it takes effect
    at once. A rolled-back change invalidates nothing. A transaction that changes many rows
    bumps the version once: a callback already waiting for this commit covers the rest (it
    belongs to the same or an enclosing savepoint, so it is rolled back only with this change).
    """
    if connection.in_atomic_block and any(
        isinstance(callback, Bump) and callback.namespace == namespace
        for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(Bump(namespace))
