"""Working days (Monday to Friday): due dates and ages that skip weekends."""

import datetime

WEEKEND = (5, 6)  # Saturday, Sunday (date.weekday())


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted)."""
    day = start
    left = days
    while left > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() not in WEEKEND:
            left -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days after `start` up to and including `end`; 0 when `end` is not after `start`."""
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + datetime.timedelta(days=weeks * 7 + offset)).weekday() not in WEEKEND:
            count += 1
    return count
