"""What the public may see of a breakdown: small counts hidden, and enough others that none can be worked out.

A count under SMALL_COUNT is hidden. A breakdown adds up to its figure, which is published, so one
hidden count would be the figure minus the counts shown: the next smallest count of the breakdown is
hidden too (complementary suppression), and the next, until no hidden count can be pinned down by
someone who knows the figure, the counts shown, and that every hidden count is at least 1 (empty keys
are not listed) and at most the smallest count shown (the smallest are the ones hidden). A breakdown
that stays pinned down with every count hidden (all of them 1) is not published at all. Hidden counts
all read the same, so the reader cannot tell a small one from one hidden to protect it.

Every public output (the public page, and any public export) takes its breakdowns from `suppress`.
"""

SMALL_COUNT = 5


def pinned(hidden: list[int], shown: list[int]) -> bool:
    """Whether the value of a hidden count follows from their sum, how many they are, and their bounds:
    at least 1 and at most the smallest count shown."""
    if not hidden:
        return False
    if len(hidden) == 1:
        return True
    others = len(hidden) - 1
    rest = sum(hidden)
    top = min(shown) if shown else rest
    return max(1, rest - others * top) == min(top, rest - others)


def suppress(counts: dict[str, int]) -> dict[str, int | None]:
    """The counts of a breakdown as published, hidden ones None; empty when none can be published."""
    hidden = {key for key, n in counts.items() if n < SMALL_COUNT}
    shown = sorted((key for key in counts if key not in hidden), key=lambda key: (counts[key], key))
    while pinned([counts[key] for key in hidden], [counts[key] for key in shown]):
        if not shown:
            return {}
        hidden.add(shown.pop(0))
    return {key: None if key in hidden else n for key, n in counts.items()}
