"""`coursegate tallies check|rebuild|sweep`: the dashboard's kept counts (reporting/tallies.py).

check    count every counted table and compare with its tallies; exit 1 listing the groups that differ
rebuild  count the tallies again from their rows (a repair; PostgreSQL locks each table against writes meanwhile)
sweep    fold every pending change into the tallies now (what the sweep does every few seconds)
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from coursegate.reporting.tallies import BY_KIND, tallies_check, tallies_rebuild, tallies_sweep

SHOWN = 20


class Command(BaseCommand):
    help = "Check, rebuild or fold the dashboard's tallies (exact counts kept by database triggers)"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "rebuild", "sweep"])
        parser.add_argument("--kind", action="append", choices=sorted(BY_KIND), help="only this kind (repeatable)")

    def handle(self, *args, action: str, kind: list[str] | None, **options):
        kinds = tuple(kind or ())
        if action == "sweep":
            folded = total = tallies_sweep()
            while folded:
                folded = tallies_sweep()
                total += folded
            self.stdout.write(f"folded {total} changes")
        elif action == "rebuild":
            tallies_rebuild(kinds=kinds)
            self.stdout.write(f"rebuilt: {', '.join(kinds or tuple(BY_KIND))}")
        else:
            differences = tallies_check(kinds=kinds)
            if not differences:
                self.stdout.write(f"all tallies agree with their rows: {', '.join(kinds or tuple(BY_KIND))}")
                return
            for name, groups in differences.items():
                self.stdout.write(f"{name}: {len(groups)} groups differ")
                for (key, sub), (kept, counted) in sorted(groups.items())[:SHOWN]:
                    self.stdout.write(f"  {key} {sub}: tally {kept}, rows {counted}")
            raise CommandError("tallies differ from their rows: `coursegate tallies rebuild` counts them again")
