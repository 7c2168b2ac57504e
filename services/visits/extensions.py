"""Extension points of the field app: other apps add their links, person panels and need actions.

Apps register in their AppConfig.ready(), so the field app shows their work without importing
them and dependencies keep pointing at `services`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.models import FollowUp, Person, User


@dataclass(frozen=True)
class NavLink:
    label: Any  # a lazy translation
    url_name: str
    key: str


@dataclass(frozen=True)
class PersonPanel:
    """A section of the field person page: a template and what it needs, loaded with one call."""

    template: str
    context: Callable[[Person, Any], dict[str, Any]]


@dataclass(frozen=True)
class NeedAction:
    """A link on an open follow-up that starts the real thing, prefilled from the need."""

    label: Any
    url: Callable[[Person, FollowUp], str]


nav_links: list[NavLink] = []
person_panels: list[PersonPanel] = []
need_actions: dict[str, NeedAction] = {}


def register_nav(link: NavLink) -> None:
    if link not in nav_links:
        nav_links.append(link)


def register_person_panel(panel: PersonPanel) -> None:
    if panel not in person_panels:
        person_panels.append(panel)


def register_need_action(need: str, action: NeedAction) -> None:
    need_actions[need] = action


def panels_for(person: Person, user: User) -> list[tuple[str, dict[str, Any]]]:
    return [(panel.template, panel.context(person, user)) for panel in person_panels]


def need_action_for(follow_up: FollowUp) -> tuple[Any, str] | None:
    action = need_actions.get(follow_up.need)
    return (action.label, action.url(follow_up.person, follow_up)) if action else None
