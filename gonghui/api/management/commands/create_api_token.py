"""Create an API token for a user and print it (the only time the plaintext is shown)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gonghui.api import services
from gonghui.lib.errors import ServiceError


class Command(BaseCommand):
    help = "Create an API token for <username> named <name>; prints the token once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no such user: {username}")
        try:
            # An operator at the console: the audit row has no acting user.
            token, plaintext = services.token_create(actor=None, user=user, name=name)
        except ServiceError as e:
            raise CommandError(e.message) from None
        self.stdout.write(plaintext)
        self.stderr.write(f"token {token.prefix}… for {user.username}; it is shown only once")
