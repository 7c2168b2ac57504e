"""Households: each person belongs to the household of their street and address (户), derived, never typed.

A household is found by its street and its address as written, full-width characters folded and
white space dropped (household_address). A person without an address on record gets a household of their own,
kept until an address is recorded. Person saves, the Excel import, the demo and the scale generator
link persons here; nothing else writes `Person.household`. It is derived data, like the birth date
from the ID number: no audit entry and no history row of its own (the person's history keeps the address).
"""

import unicodedata
from collections.abc import Iterable

from django.db import transaction

from ..models import Household, Person


def household_address(address: str) -> str:
    """The address as households are told apart: full-width characters folded (NFKC) and white space
    dropped, as Chinese addresses are written without it (江宁路100弄5号 302室 is 江宁路100弄5号302室)."""
    return "".join(unicodedata.normalize("NFKC", address).split())


def _fits(person: Person, household: Household | None) -> bool:
    if household is None or household.street_id != person.street_id:
        return False
    address = household_address(person.address)
    # A household without an address is its one person's until they have one.
    return household.address == address


def household_of(person: Person) -> Household | None:
    """The household `person` belongs to by their street and address, without writing: None when it does
    not exist yet (the person was never linked and nobody else lives at that address)."""
    current = Household.objects.filter(pk=person.household_id).first() if person.household_id else None
    if _fits(person, current):
        return current
    address = household_address(person.address)
    if not address:
        return None
    return Household.objects.filter(street_id=person.street_id, address=address).first()


@transaction.atomic
def household_link(*, person: Person) -> Household:
    """Link `person` to the household of their street and address, creating it if needed; return it."""
    current = Household.objects.filter(pk=person.household_id).first() if person.household_id else None
    if _fits(person, current):
        assert current is not None
        return current
    address = household_address(person.address)
    if address:
        household, _created = Household.objects.get_or_create(street_id=person.street_id, address=address)
    else:
        household = Household.objects.create(street_id=person.street_id, address="")
    Person.objects.filter(pk=person.pk).update(household=household)
    person.household = household
    return household


@transaction.atomic
def households_link(*, person_ids: Iterable[int]) -> int:
    """Link many persons at once (the import, the demo): create the missing households in one statement
    and set each person's in another. Returns how many persons changed household."""
    persons = list(Person.objects.filter(pk__in=list(person_ids)).select_related("household"))
    moving = [p for p in persons if not _fits(p, p.household)]
    if not moving:
        return 0
    households_assign(persons=moving)
    Person.objects.bulk_update(moving, ["household"], batch_size=1000)
    return len(moving)


@transaction.atomic
def households_assign(*, persons: list[Person]) -> None:
    """Set each person's household on the instance, creating the missing households in one statement; the
    caller saves the persons. New persons (the demo) get theirs before they are inserted, so no UPDATE follows."""
    wanted = {(p.street_id, household_address(p.address)) for p in persons if household_address(p.address)}
    Household.objects.bulk_create(
        [Household(street_id=street, address=address) for street, address in wanted], ignore_conflicts=True
    )
    found = {
        (h.street_id, h.address): h
        for h in Household.objects.filter(street_id__in={s for s, _a in wanted}, address__in={a for _s, a in wanted})
    }
    for person in persons:
        address = household_address(person.address)
        person.household = (
            found[(person.street_id, address)]
            if address
            else Household.objects.create(street_id=person.street_id, address="")
        )
