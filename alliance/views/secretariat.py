"""Owned by the pages helper A1 (in progress)."""


def _todo(request, *args, **kwargs):
    raise NotImplementedError


firm_list = firm_detail = firm_verify = proposal_list = proposal_request_info = _todo
