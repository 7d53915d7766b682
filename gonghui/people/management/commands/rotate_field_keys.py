"""Re-encrypt every personal identifier under the current field key.

Rotate by putting a new key first in GONGHUI_FIELD_KEYS (keeping the old ones after it), run this
command, then drop the old keys. Blind indexes use their own key and do not change, so lookups
work throughout. Batches commit separately; a rerun continues where it stopped.
"""

from django.core.management.base import BaseCommand

from gonghui.people import services


class Command(BaseCommand):
    help = "Re-encrypt ID and phone numbers with the current field key."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, batch: int, **options):
        counts = services.reencrypt_all(batch=batch)
        self.stdout.write(f"re-encrypted {counts['people']} people ({counts['values']} values) to key {counts['kid']}")
