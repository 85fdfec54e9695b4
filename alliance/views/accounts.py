"""Owned by the pages helper A1 (in progress)."""


def _todo(request, *args, **kwargs):
    raise NotImplementedError


signup = _todo
