"""The portal sign-in code message: subject, text and SMS, from a small template set per locale
(web/templates/portal/mail/<locale>/). No links, the anti-phishing phrase, "we never ask for your
password" - like every message we send.
"""

from dataclasses import dataclass
from functools import cache
from importlib import resources

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from hygiene import i18n, keyed
from hygiene.inventory.models import Official


@dataclass(frozen=True)
class SignInMessage:
    subject: str
    text: str
    sms: str


@cache
def _environment() -> Environment:
    folder = resources.files("hygiene") / "web" / "templates" / "portal" / "mail"
    return Environment(
        loader=FileSystemLoader(str(folder)),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701  (plain text only, never HTML)
        keep_trailing_newline=True,
        trim_blocks=True,
    )


def render_sign_in_code(official: Official, *, code: str, minutes: int) -> SignInMessage:
    locale = i18n.normalise_locale(official.locale)
    context = {
        "full_name": official.full_name,
        "code": keyed.display(code),
        "minutes": minutes,
        "phrase": official.anti_phishing_phrase or None,
    }
    env = _environment()
    return SignInMessage(
        subject=env.get_template(f"{locale}/subject.txt").render(context).strip(),
        text=env.get_template(f"{locale}/body.txt").render(context),
        sms=" ".join(env.get_template(f"{locale}/sms.txt").render(context).split()),
    )
