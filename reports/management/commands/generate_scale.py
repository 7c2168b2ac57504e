"""Fill PostgreSQL with district-scale made-up data: N persons and Y years of every app's records."""

import time

from django.core.management.base import BaseCommand, CommandError

from reports.scale import ScaleRefused, generate_scale


class Command(BaseCommand):
    help = (
        "Fill PostgreSQL with --persons valid made-up persons and --years years of their service records "
        "(COPY, one transaction; no simple_history rows). Refuses SQLite and a registry that has persons."
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, required=True, help="How many persons to add.")
        parser.add_argument("--years", type=int, required=True, help="Years of records, ending with this one.")
        parser.add_argument("--seed", type=int, default=2023, help="The same seed gives the same data.")
        parser.add_argument("--append", action="store_true", help="Add to the persons already there.")
        parser.add_argument(
            "--force", action="store_true", help="Empty the registry and every service record first (TRUNCATE)."
        )
        parser.add_argument("--no-vacuum", action="store_true", help="Skip VACUUM ANALYZE of the tables written.")

    def handle(self, *args, persons, years, seed, append, force, no_vacuum, **options):
        started = time.perf_counter()
        try:
            result = generate_scale(
                persons=persons,
                years=years,
                seed=seed,
                append=append,
                force=force,
                vacuum=not no_vacuum,
                log=self.stdout.write,
            )
        except ScaleRefused as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        width = max(len(t) for t in result.rows)
        self.stdout.write(f"{'table':<{width}} {'rows':>10}")
        for table, rows in sorted(result.rows.items()):
            self.stdout.write(f"{table:<{width}} {rows:>10,}")
        self.stdout.write(f"{'service records':<{width}} {result.service_records:>10,}")
        for step, seconds in result.seconds.items():
            self.stdout.write(f"{step}: {seconds:.1f} s")
        rate = sum(result.rows.values()) / elapsed
        self.stdout.write(self.style.SUCCESS(f"elapsed {elapsed:.1f} s ({rate:,.0f} rows/s)"))
