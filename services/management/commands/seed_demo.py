"""Fill the database with demo records: each installed app's `demo.seed()` adds its own."""

import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from services.registry.demo import describe_accounts


class Command(BaseCommand):
    help = "Create demo accounts and records (idempotent: running it again duplicates nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2023, help="The demo year whose records match the article.")
        parser.add_argument("--persons", type=int, default=3000, help="How many persons the demo registry holds.")
        parser.add_argument(
            "--allow-production", action="store_true", help="Run even with DEBUG off (demo passwords are public)."
        )

    def handle(self, *args, year: int, persons: int, allow_production: bool, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("seed_demo creates accounts with public passwords; it runs only with DEBUG=true.")
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            module = importlib.import_module(module_name)
            with transaction.atomic():
                module.seed(year=year, persons=persons, stdout=self.stdout)
        describe_accounts(self.stdout)
