"""Owned by the pages helper A2 (in progress)."""


def _todo(request, *args, **kwargs):
    raise NotImplementedError


dashboard = proposal_new = proposal_detail = proposal_edit = proposal_autosave = _todo
proposal_submit = proposal_withdraw = _todo
