"""Online applications in each state, made through the actions as the public form and staff would."""

import contextlib
import re

from django.test import Client, TestCase, override_settings
from django.urls import reverse

from services.applications import actions
from services.models import Application, ApplicationChallenge, Person

CODE = re.compile(r"\b(\d{6})\b")


def committed():
    """Run the on-commit callbacks (queued tasks, messages) at the block's end, as a real commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def start(
    person: Person, *, service: str = "rehabilitation", contact: str = "person", send: bool = True, **extra
) -> ApplicationChallenge:
    """A challenge for `person` whose code has been made and sent (the task runs eagerly at the commit), or only
    queued when `send` is False. `certificate_number` may be given to ask with a wrong one."""
    with committed() if send else contextlib.nullcontext():
        return actions.application_challenge_start(
            id_number=person.id_number,
            certificate_number=extra.pop("certificate_number", person.certificate_number),
            contact=contact,
            service=service,
            applicant=extra.pop("applicant", "self"),
            applicant_name=extra.pop("applicant_name", ""),
            escort_slot=extra.pop("escort_slot", None),
            note=extra.pop("note", ""),
            language=extra.pop("language", "en"),
        )


def code_sent(sent_messages: list[tuple[str, str]]) -> str:
    """The code in the last message sent."""
    match = CODE.search(sent_messages[-1][1])
    assert match, sent_messages[-1]
    return match.group(1)


def submitted(person: Person, sent_messages, *, service: str = "rehabilitation") -> tuple[Application, str]:
    """An application received from the public form, and its status token."""
    challenge = start(person, service=service)
    with committed():
        return actions.application_submit(challenge=challenge, code=code_sent(sent_messages), site="http://testserver/")


def form_data(person: Person, **changes) -> dict[str, str]:
    data = {
        "service": "rehabilitation",
        "applicant": "self",
        "applicant_name": "",
        "id_number": person.id_number,
        "certificate_number": person.certificate_number,
        "contact": "person",
        "note": "",
    }
    return {**data, **changes}


def apply_through_pages(client: Client, person: Person, sent_messages) -> str:
    """Fill in the public form and the code; returns the status page's path."""
    with committed():
        response = client.post(reverse("applications:start"), form_data(person))
    assert response.status_code == 302, response.content.decode()[:2000]
    with committed():
        response = client.post(reverse("applications:code"), {"code": code_sent(sent_messages)})
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def make_application(person: Person | None = None, *, service: str = "rehabilitation") -> tuple[Application, str]:
    """An application made as the public form makes it (a code to the phone on file, then entered), without
    fixtures: for the project's generated tests. Returns (application, token)."""
    from tests.conftest import RecordingNotifier
    from tests.services.factories import PersonFactory

    person = person or PersonFactory(category=2, grade=1)
    with override_settings(NOTIFICATION_BACKEND="tests.conftest.RecordingNotifier"):
        RecordingNotifier.sent = []
        challenge = start(person, service=service)
        return submitted_with(challenge, code_sent(RecordingNotifier.sent))


def submitted_with(challenge: ApplicationChallenge, code: str) -> tuple[Application, str]:
    with committed():
        return actions.application_submit(challenge=challenge, code=code, site="http://testserver/")
