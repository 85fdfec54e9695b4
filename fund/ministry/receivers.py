"""The ministries' handlers of the portal's cross-app signals (MinistryConfig.ready): none yet.

The ministry sends `proposal_recommended`; automatic routing, above it, receives it."""
