"""Slack plumbing, at the ground floor: the signature gate, escaping, Block Kit primitives, ids,
Web API calls that cannot kill a listener, replies, and the `/mutuals` router's types.

Features (answers, registrations, admin, home) build on these; nothing here knows a feature.
"""
