"""Match results and rule sets (see the matching issue)."""
