"""Rescore the whole pipeline under the active rule set, with a terminal progress bar.

An unfinished run is resumed (finished batches are skipped) unless --new is given. Batches run
in this process by default; with --workers they go to the `scoring` queue and this command
only watches the progress record.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from matching import selectors, services

BAR_WIDTH = 40


class Command(BaseCommand):
    help = "Rescore every submitted proposal under the active rule set (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=services.RESCORE_BATCH_SIZE)
        parser.add_argument("--new", action="store_true", help="start over, do not resume")
        parser.add_argument(
            "--workers", action="store_true", help="send batches to the scoring queue and watch"
        )

    def handle(self, *args, batch_size, new, workers, **options):
        rule_set = selectors.active_rule_set()
        if rule_set is None:
            raise CommandError("No active rule set.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        run = None if new else rule_set.rescores.filter(finished_at__isnull=True).first()
        if run is None:
            run = services.rescore_start(rule_set=rule_set, batch_size=batch_size, enqueue=False)
            self.stdout.write(
                f"Rescore {run.pk}: {run.total_proposals} proposals, v{rule_set.version}"
            )
        else:
            self.stdout.write(f"Resuming rescore {run.pk} (v{rule_set.version})")
        started = time.monotonic()
        if workers:
            with transaction.atomic():
                services.rescore_enqueue(run=run)
            while True:
                progress = selectors.rescore_progress(run)
                self._bar(progress)
                if progress["batches_done"] == progress["batches"]:
                    break
                time.sleep(0.5)
        else:
            remaining = selectors.channel_remaining()  # once for the whole run
            for batch_id in run.batches.filter(done_at__isnull=True).values_list("pk", flat=True):
                services.rescore_batch_run(batch_id=batch_id, remaining=remaining)
                self._bar(selectors.rescore_progress(run))
            self._bar(selectors.rescore_progress(run))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f}s."))

    def _bar(self, progress: dict) -> None:
        filled = BAR_WIDTH * progress["percent"] // 100
        bar = "█" * filled + "·" * (BAR_WIDTH - filled)
        self.stdout.write(
            f"\r[{bar}] {progress['percent']:3d}%  "
            f"{progress['proposals_done']}/{progress['total']} proposals",
            ending="",
        )
        self.stdout.flush()
