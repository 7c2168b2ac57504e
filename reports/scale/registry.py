"""The accounts the records name (staff, street committee members, volunteers) and the persons."""

from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from services.models import Household, Person, Street, StreetAssignment, User, Volunteer
from services.registry import roles
from services.registry.households import household_address
from services.registry.identity import birth_date_of
from services.registry.sample import sample_person_fields

from .base import GeneratorBase, Who
from .plan import STREET_WEIGHTS
from .tables import _stamped

USER_PREFIX = "scale_"


def _user(username: str, group: Group, *, is_staff: bool = False) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": is_staff, "password": make_password(None)}
    )
    if created:
        user.groups.add(group)
    return user


def _home(street: int, address: str) -> bytes:
    """A household's street and address as one key: bytes take less than half the memory of a tuple and its
    string, which counts when every person of a million has their own."""
    return street.to_bytes(4, "big") + address.encode()


class RegistryRecords(GeneratorBase):
    """Accounts, reused by later runs, and the persons of the registry."""

    # Accounts

    def users(self) -> None:
        """A staff member, a committee member per street and the volunteers, reused by later runs."""
        groups = {g.name: g for g in Group.objects.filter(name__in=roles.LABELS)}
        self.staff = _user(f"{USER_PREFIX}staff", groups[roles.STAFF], is_staff=True).pk
        self.streets = dict(Street.objects.values_list("code", "pk"))
        self.members = {}
        for code, pk in self.streets.items():
            member = _user(f"{USER_PREFIX}member_{code}", groups[roles.COMMITTEE_MEMBER])
            StreetAssignment.objects.get_or_create(user=member, street_id=pk)
            self.members[pk] = member.pk
        wanted = max(30, round(200 * self.scale))
        have = list(Volunteer.objects.filter(user__username__startswith=f"{USER_PREFIX}volunteer_"))
        for n in range(len(have), wanted):
            user = _user(f"{USER_PREFIX}volunteer_{n:05d}", groups[roles.VOLUNTEER])
            sign = Volunteer.SignLanguage.FLUENT if n % 3 == 0 else Volunteer.SignLanguage.NONE
            have.append(
                Volunteer.objects.create(user=user, phone=f"137{n:08d}", sign_language=sign, guide_trained=n % 3 == 1)
            )
        self.signers = [v.pk for v in have if v.signs]
        self.volunteers = [v.pk for v in have]

    # The registry

    def persons(self, cursor: Any) -> None:
        # Households first: the persons point at them.
        households = self.table(Household, reserve=cursor)
        table = self.table(Person, reserve=cursor)
        # Each person in the household of their street and address (services.registry.households), one per address.
        known = Household.objects.exclude(address="").values_list("pk", "street", "address")
        homes = {_home(street, address): pk for pk, street, address in known}
        existing = set(Person.objects.values_list("id_number", flat=True))
        weighted = [pk for code, pk in sorted(self.streets.items()) for _n in range(STREET_WEIGHTS.get(code, 5))]
        made = sample_person_fields(self.count + len(existing), street_ids=weighted, seed=self.seed, today=self.today)
        made_count = 0
        for person in made:
            if person["id_number"] in existing:
                continue
            pk = table.new_id()
            street = person["street_id"]
            address = household_address(person["address"])
            home = _home(street, address)
            household = homes.get(home) if address else None
            if household is None:
                household = households.new_id()
                households.add(id=household, **_stamped(person["consent_given_on"]), street_id=street, address=address)
                if address:
                    homes[home] = household
            table.add(id=pk, household_id=household, **person, **_stamped(person["consent_given_on"]))
            born = birth_date_of(person["id_number"])
            end = person["status_changed_on"] or self.today
            made_count += 1
            who = Who(pk, street, person["category"], born, max(self.first_day, born), end, household)
            if who.start <= who.end:  # else the person moved out or died before the years generated
                self.people.append(who)
            if made_count == self.count:
                break
        self.log(f"  persons: {made_count:,} ({len(self.people):,} with records in the years generated)")
