"""The decision: answer from the best candidate, or decline.

A logistic model over what the best candidate holds of the question and how it stands against
the runner-up gives the chance that its answer is right; the assistant answers when that chance
reaches ANSWER_AT. Weights and threshold were fitted by cross-validation on the development
questions (`mutuals eval --calibrate`; README, "Evaluation").
"""

from __future__ import annotations

import math

from bot.answers.ranking import FEATURES, Candidate, Model
from bot.answers.weights import Weighed

DECISION_FEATURES = (
    "coverage",  # share of the question's weight the best passage holds
    "heading",  # ... in its page title and heading
    "names",  # share of the question's specific terms it holds
    "evidence",  # how much it holds that is specific (1 = one name's worth), at most 3
    "unknown",  # share of the question's weight the knowledge never uses
    "unknown_names",  # names the knowledge never uses, at most 2
    "unknown_words",  # how much the everyday words it never uses tell, at most 3
    "margin",  # its re-ranking score above the runner-up's
    "gives",  # asked when / how many / who, and it gives a date / figure / names
    "heading_words",  # how alike the question and its heading are, word for word
    "fits_heading",  # share of its heading's weight the question names
    "pairs",  # share of the question's adjacent terms side by side in it
)

# Fitted by `mutuals eval --calibrate` on the development part before its second batch (README,
# "Evaluation", says why a refit with it is not shipped).
DECIDER = Model(
    weights=(1.552, 1.213, 2.716, 0.127, -1.896, -0.3, -0.023, 0.207, -0.219, 1.996, 0.814, 1.198),
    bias=-5.794,
)
ANSWER_AT = 0.625


def decision_values(
    candidates: list[Candidate], weighed: Weighed, held_evidence: float
) -> tuple[float, ...]:
    top = dict(zip(FEATURES, candidates[0].values, strict=True))
    margin = candidates[0].score - candidates[1].score if len(candidates) > 1 else 1.0
    return (
        top["coverage"],
        top["heading"],
        top["names"],
        min(held_evidence, 3.0),
        weighed.unknown_share,
        float(min(weighed.unknown_names, 2)),
        min(weighed.unknown_words, 3.0),
        margin,
        top["gives"],
        top["heading_words"],
        top["fits_heading"],
        top["pairs"],
    )


def confidence(values: tuple[float, ...], model: Model = DECIDER) -> float:
    """The chance that the best candidate's answer is right."""
    z = model.score(values)
    return 1 / (1 + math.exp(-z)) if z > -60 else 0.0
