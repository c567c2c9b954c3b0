"""Bolt listeners, one module per Slack surface, each with `register(app, services)`.

A listener acks first, then calls a plain service function, renders blocks with a pure function
and sends them; a failed Web API call is logged with ids only and the listener carries on.
"""
