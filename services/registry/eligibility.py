"""Who may get which service: each app registers its own rule once; pages show it before offering anything.

The rule is the very function the app's action refuses with (escort_ineligibility, retrofit_person_errors,
working_age_error), so what the field app and the admin's person choices show is what a booking, an
application or a placement would answer. Apps register in their AppConfig.ready(), so `services` shows
their rules without importing them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.models import FollowUp, Person


@dataclass(frozen=True)
class EligibilityRule:
    """The rule of the service a visit's need asks for.

    `refusal` says why `person` may not have it on a date ("" when they may). `models` are the records
    ("app_label.model") whose person choice in the admin shows the rule; `queries` says the rule reads the
    database, so a list of twenty persons would run it twenty times (the admin's choices then leave it out).
    """

    need: str
    label: Any  # a lazy translation
    refusal: Callable[[Person, datetime.date], str]
    models: tuple[str, ...] = ()
    queries: bool = False


@dataclass(frozen=True)
class Eligibility:
    need: str
    label: Any
    reason: str

    @property
    def eligible(self) -> bool:
        return not self.reason


rules: dict[str, EligibilityRule] = {}


def register_eligibility(rule: EligibilityRule) -> None:
    rules[rule.need] = rule


def eligibility_for(person: Person, on: datetime.date) -> list[Eligibility]:
    """The person's eligibility on `on` for each service with a rule, in the order of the visit's needs."""
    order = {need: index for index, need in enumerate(FollowUp.Need.values)}
    ordered = sorted(rules.values(), key=lambda rule: order.get(rule.need, len(order)))
    return [Eligibility(rule.need, rule.label, rule.refusal(person, on)) for rule in ordered]


def ineligibility(person: Person, need: str, on: datetime.date) -> str:
    """Why `person` may not get what `need` asks for on `on`; "" when they may or the need has no rule."""
    rule = rules.get(need)
    return rule.refusal(person, on) if rule else ""


def choice_rules(model_label: str) -> list[EligibilityRule]:
    """The rules, read without a query, that a person choice for a `model_label` record shows."""
    return [rule for rule in rules.values() if model_label in rule.models and not rule.queries]
