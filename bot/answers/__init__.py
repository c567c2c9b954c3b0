"""Answers: compose an answer from search hits (pure), its Block Kit, and the listeners for
questions (mentions, DMs, open channels, `/mutuals QUESTION`) and the buttons under answers."""
