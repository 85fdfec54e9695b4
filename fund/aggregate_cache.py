"""Cached aggregates: the public pages' channel capacity, demand and reference lists
(namespace PUBLIC) and the pipeline board's counts per stage (namespace PIPELINE).

Every entry's key carries its namespace's version number, kept in the cache itself; a change
that moves an aggregate calls `invalidate(namespace)` inside its transaction, which increments
the version once the transaction commits, so every entry of the namespace becomes unreachable
at once (one call, no key lists).

Two rules keep the cache from publishing what was never committed:
- the version is bumped on commit, never before, so a reader racing the writer can at worst
  store the old value under the *old* version;
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


def cached(name: str, compute: Callable[[], T], *, namespace: str = PUBLIC) -> T:
    """`compute()`'s value, from the cache when committed data allows; `name` must be unique
    within the namespace and name everything the value depends on (filters, year)."""
    if connection.in_atomic_block:
        return compute()
    try:
        key = f"aggregates:{namespace}:{_version(namespace)}:{name}"
        value = cache.get(key)
    except Exception:  # a cache outage costs speed, never the page
        logger.warning("cache unavailable for %s", name, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, TIMEOUT)
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


def invalidate(namespace: str = PUBLIC) -> None:
    """Make every cached aggregate of `namespace` stale once the current transaction commits.

    Call inside the transaction that changes what the namespace counts (PUBLIC: a commitment,
    a channel, a proposal's demand; PIPELINE: a review's stage); outside one it takes effect
    at once. A rolled-back change invalidates nothing.
    """
    transaction.on_commit(lambda: _bump(namespace))
