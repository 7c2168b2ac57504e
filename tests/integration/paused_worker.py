"""`celery worker` for the worker tests, pausing between counting a report's figures and storing them.

The pause (WORKER_TEST_STORE_PAUSE seconds) gives a test the time to kill the worker midway. It is
added here, at the edge, by wrapping `reports.actions.annual_report_store`: the portal has no such hook.
Run as `python -m tests.integration.paused_worker -A jingan_portal worker ...` (celery's own arguments).
"""

import os
import sys
import time

import django


def main() -> None:
    django.setup()
    from celery.__main__ import main as celery_main

    from reports import actions

    store = actions.annual_report_store
    pause = float(os.environ["WORKER_TEST_STORE_PAUSE"])

    def paused_store(**kwargs):
        time.sleep(pause)
        return store(**kwargs)

    actions.annual_report_store = paused_store
    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
