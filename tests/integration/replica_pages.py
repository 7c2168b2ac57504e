"""A drill-down read by a process configured with a replica, before and after a save (test_replica.py).

    DATABASE_REPLICA_URL=... python -m tests.integration.replica_pages USERNAME YEAR FIGURE

Logged in as USERNAME, it opens the drill-down of FIGURE for YEAR (read from the replica), asks for a run of
the report (a save: POST), opens the drill-down again (the page after a save, read from the primary) and
prints both pages' record counts as JSON. The test's own process cannot do this: its settings have no replica.
"""

import json
import os
import re
import sys


def records_counted(html: str) -> int:
    found = re.search(r"(\d+) records? counted", html)
    assert found, html
    return int(found.group(1))


def main(username: str, year: int, key: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingan_portal.settings.test")
    django.setup()
    from django.test import Client
    from django.urls import reverse

    from services.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username=username))
    page = reverse("reports:records", kwargs={"year": year, "key": key})
    before = client.get(page)
    saved = client.post(reverse("reports:compute", kwargs={"year": year}))
    after = client.get(page)
    print(
        json.dumps(
            {
                "before": records_counted(before.content.decode()),
                "saved": saved.status_code,
                "after": records_counted(after.content.decode()),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
