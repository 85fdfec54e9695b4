"""`make bench`: the portal measured against floors measured in the same run (bench/run.py)."""
