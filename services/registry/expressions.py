"""Database expressions deriving birth date and gender from a stored ID number.

Both are immutable functions of the row, so the database keeps them as generated columns.
"""

from django.db.models import Case, CharField, DateField, Func, IntegerField, Value, When
from django.db.models.functions import Cast, Mod, Substr
from django.db.models.lookups import Exact


def _digits(field: str, start: int, length: int) -> Cast:
    return Cast(Substr(field, start, length), IntegerField())


class MakeDate(Func):
    """make_date(year, month, day); SQLite, which keeps dates as ISO text, formats them instead."""

    function = "make_date"
    arity = 3
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, function="printf", template="%(function)s('%%%%04d-%%%%02d-%%%%02d', %(expressions)s)"
        )


def birth_date_from_id(field: str) -> MakeDate:
    """Characters 7-14 of the ID number, as a date."""
    return MakeDate(_digits(field, 7, 4), _digits(field, 11, 2), _digits(field, 13, 2))


def gender_from_id(field: str) -> Case:
    """ "male" when the 17th character (the sequence's last digit) is odd, else "female"."""
    return Case(
        When(Exact(Mod(_digits(field, 17, 1), 2), 1), then=Value("male")),
        default=Value("female"),
        output_field=CharField(),
    )
