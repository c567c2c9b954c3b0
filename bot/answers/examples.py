"""Example questions: App Home's buttons, help, and the assistant pane's suggested prompts."""

from __future__ import annotations

EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "What is a public service mutual?",
    "What is MyCSP?",
    "What was the Mutual Pathfinder Programme?",
    "What happens to staff pensions when a service spins out?",
    "What is the Right to Provide?",
    "Can a contract be reserved for a mutual?",
)
