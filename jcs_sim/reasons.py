"""Why one action was chosen over another, in words that cannot be read backwards.

Why a module of its own: the CLI's ``jcs-sim explain`` and the classroom's
Why? panel say the same thing, and "scored higher on risk (+0.83)" was read
backwards (the chosen action was the *less* risky one), while a decision the
random term settled looked like a reasoned one. Components are contributions
to the score (higher is better for that action), so a positive difference
always favours the chosen action and is worded that way ("it was less
risky"); the noise term is named when it decided. No plotting here, so the
core install (``jcs-sim explain``) can use it.
"""

from __future__ import annotations

from typing import Any

from .actions.base import COMPONENTS

__all__ = ["WORDS", "NEAR", "MAX_REASONS", "label", "comparison", "sentence"]

# For each component: what it means when the chosen action was better on it, and when it was worse.
WORDS: dict[str, tuple[str, str]] = {
    "evidence": ("it promised more, given what they believed", "it promised less, given what they believed"),
    "urgency": ("it answered the time pressure better", "it answered the time pressure less"),
    "effort": ("it took less time and effort", "it took more time and effort"),  # fatigue and crowding scale it (in the context line)
    "social_cost": (
        "it meant less reluctance about paging or messaging someone they barely know",
        "it meant more reluctance about paging or messaging someone they barely know",
    ),
    "role": ("it fitted their role better", "it fitted their role less"),
    "other_duties": ("their other work pulled towards it", "their other work pulled away from it"),
    "coordination": ("nobody else seemed to be on it, or the team was less crowded", "someone else seemed to be on it already"),
    "risk": (
        "it was less risky (acting on a service they know little about)",
        "it was riskier (acting on a service they know little about)",
    ),
    "connection": ("it offered more contact with someone they barely know", "it offered less contact with someone they barely know"),
}
NEAR = 0.01  # differences below this are "nearly equal" and not worth a sentence
MAX_REASONS = 3


def label(row: dict[str, Any]) -> str:
    """An action and its target in words ("write a status update", "page Dev")."""
    words = {"other_duty": "go back to other duties", "status_update": "write a status update", "own_mistake": "own a mistake"}
    action = words.get(row["action"], row["action"].replace("_", " "))
    return f"{action} {row['target']}".strip()


def comparison(chosen: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """How the chosen action compared with one other candidate, in words and numbers.

    ``gap`` is the score difference (always >= 0: the chosen one scored
    highest), ``gap_without_noise`` the same without the random term; when it
    is negative the other would have won without noise: ``noise_decided``.
    ``pros`` and ``cons`` are the reasons in words; ``pro_diffs`` and
    ``con_diffs`` the same reasons as (component, difference), in that order.
    """
    diffs = sorted(((chosen[c] - other[c], c) for c in COMPONENTS), reverse=True)
    pro_diffs = [(c, d) for d, c in diffs if d > NEAR][:MAX_REASONS]
    con_diffs = [(c, d) for d, c in reversed(diffs) if d < -NEAR][:MAX_REASONS]
    gap = chosen["g"] - other["g"]
    gap_wn = chosen["g_without_noise"] - other["g_without_noise"]
    return {
        "label": label(other),
        "gap": gap,
        "gap_without_noise": gap_wn,
        "noise_decided": gap_wn < 0,
        "pros": [WORDS[c][0] for c, _ in pro_diffs],
        "cons": [WORDS[c][1] for c, _ in con_diffs],
        "pro_diffs": pro_diffs,
        "con_diffs": con_diffs,
        "diffs": {c: chosen[c] - other[c] for c in COMPONENTS},
    }


def sentence(cmp: dict[str, Any], numbers: bool = False) -> str:
    """One comparison as a sentence: the reasons for the chosen action, then against it; or that noise decided.

    ``numbers``: each reason followed by its difference ("it was riskier (-0.71)"), as ``jcs-sim explain`` prints it.
    """
    if numbers:
        pros = [f"{WORDS[c][0]} ({d:+.2f})" for c, d in cmp["pro_diffs"]]
        cons = [f"{WORDS[c][1]} ({d:+.2f})" for c, d in cmp["con_diffs"]]
    else:
        pros, cons = cmp["pros"], cmp["cons"]
    if cmp["noise_decided"]:
        # Pairwise only: several options can each beat the chosen one without noise, but only one of them would win.
        head = f"the random part of the score decided: without it, this would have scored {-cmp['gap_without_noise']:.2f} above the chosen action"
        if pros:
            head += f". For the chosen action: {'; '.join(pros)}"
        return head
    parts = ["; ".join(pros) if pros else "the reasons were nearly equal"]
    if cons:
        parts.append("although " + "; ".join(cons))
    return ", ".join(parts)
