"""Fund channels and capacity (see the fund issue)."""
