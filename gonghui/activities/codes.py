"""Signed check-in codes (二维码).

- A session's poster code is the URL of ``checkin:scan`` carrying a token signed with Django's
  signing (salt ``gonghui.checkin.poster``) over the session's pk and its ``checkin_key``.
  Replacing the key (``checkin.session_rotate_checkin_key``) expires every printed poster;
  ``settings.CHECKIN_POSTER_MAX_AGE`` (seconds, default none) adds an age limit.
- A member code (会员码) is a token of the person's id signed with salt ``member``; the worker's
  "我的" page shows it as a QR code and a cadre's scanner reads it. It carries no personal data.

Reading a code that is forged, expired or made for another session raises ``CodeError`` (a
``ServiceError``) with a Chinese message; nothing is written.
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.core import signing
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from gonghui.lib.errors import ServiceError

POSTER_SALT = "gonghui.checkin.poster"
MEMBER_SALT = "member"
MAX_CODE_LENGTH = 500


class CodeError(ServiceError):
    pass


def poster_token(session: Any) -> str:
    return signing.dumps({"s": session.pk, "k": session.checkin_key}, salt=POSTER_SALT, compress=True)


def read_poster_token(token: str, *, session: Any) -> None:
    """Check a poster token against the session whose URL it came with."""
    max_age = getattr(settings, "CHECKIN_POSTER_MAX_AGE", None)
    try:
        data = signing.loads(token[:MAX_CODE_LENGTH], salt=POSTER_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise CodeError(_("二维码已过期，请扫描现场最新的签到海报"), field="code", code="expired") from None
    except signing.BadSignature:
        raise CodeError(_("二维码无效，请扫描现场的签到海报"), field="code", code="forged") from None
    if not isinstance(data, dict) or data.get("s") != session.pk:
        raise CodeError(_("二维码不属于本场次，请扫描本场次的签到海报"), field="code", code="other_session")
    if data.get("k") != session.checkin_key:
        # The key was replaced after this poster was printed.
        raise CodeError(_("二维码已过期，请扫描现场最新的签到海报"), field="code", code="expired")


def member_code(person: Any) -> str:
    return signing.dumps(person.pk, salt=MEMBER_SALT)


def read_member_code(code: str) -> int:
    """The person id a member code stands for (whether that person exists is the caller's check)."""
    try:
        person_id = signing.loads(code.strip()[:MAX_CODE_LENGTH], salt=MEMBER_SALT)
    except signing.BadSignature:
        raise CodeError(_("会员码无效，请职工打开“我的”页面出示会员码"), field="code", code="forged") from None
    if not isinstance(person_id, int) or isinstance(person_id, bool):
        raise CodeError(_("会员码无效，请职工打开“我的”页面出示会员码"), field="code", code="forged")
    return person_id


def qr_svg(text: str, *, scale: int = 4, css_class: str = "qr") -> SafeString:
    """An inline SVG QR code (no style attributes, so the CSP's style-src 'self' holds)."""
    svg = segno.make(text, error="m").svg_inline(scale=scale, omitsize=True, svgclass=css_class, lineclass=None, border=2)
    return mark_safe(svg)  # noqa: S308 - segno's own markup of our own text (escaped by segno)
