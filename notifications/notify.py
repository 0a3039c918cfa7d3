"""GOV.UK Notify as a channel: email and text messages through the official
`notifications-python-client`, as an Apprise custom notification (`govuknotify://`), the way the
local sink is one, so a person's contact can be

    govuknotify://email/ana.lee@example.gov.uk
    govuknotify://sms/07700900123

Settings come from the environment, never from the plan or the URL (plans are in git):

* `PROGRAMME_NOTIFY_API_KEY`: the service's API key (masked in every log, error and listing;
  see programme.contacts).
* `PROGRAMME_NOTIFY_EMAIL_TEMPLATE`, `PROGRAMME_NOTIFY_SMS_TEMPLATE`: the ids of two Notify
  templates. The email template's subject is `((subject))` and its body `((body))`; the text
  message template's body is `((body))`. An email gets the plain-text message, a text message
  the short (chat) form with the link.
* `PROGRAMME_NOTIFY_BASE_URL`: the API's address (default Notify's own; tests point it at a
  local server).

Outcomes: accepted (2xx) is delivered. 429 (rate limit) and 5xx (Notify unavailable), or no
answer at all, fail this attempt and the outbox retries the row later with its back-off. Any
other 4xx (a bad number, a team-only key, a missing template, a bad key) cannot succeed by
retrying: the row ends as failed with Notify's own message, marked with `PERMANENT`.
"""

from __future__ import annotations

import os
from urllib.parse import quote, unquote

import apprise
from apprise.logger import logger

SCHEMA = "govuknotify"
EMAIL, SMS = "email", "sms"
DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
PERMANENT = "[not retried]"  # in an error: Notify refused the message for good
ENV_KEY, ENV_BASE = "PROGRAMME_NOTIFY_API_KEY", "PROGRAMME_NOTIFY_BASE_URL"
ENV_TEMPLATES = {EMAIL: "PROGRAMME_NOTIFY_EMAIL_TEMPLATE", SMS: "PROGRAMME_NOTIFY_SMS_TEMPLATE"}
TIMEOUT = 15  # seconds, per request


def notify_url(kind: str, address: str) -> str:
    """The contact for an email address or a phone number sent through Notify."""
    return f"{SCHEMA}://{kind}/{quote(address.strip(), safe='@+')}"


def form_for(service) -> str:
    """Which body a Notify target gets: the plain-text email, or the short form for a text."""
    kind = getattr(service, "host", None) or (getattr(service, "_default_args", {}) or {}).get("host")
    return "text" if kind == EMAIL else "chat"


def _messages(error) -> str:
    """Notify's error messages ({"errors": [{"error": ..., "message": ...}]}) as one line."""
    found = error.message
    if isinstance(found, list):
        texts = [e.get("message") or e.get("error") for e in found if isinstance(e, dict)]
        found = "; ".join(t for t in texts if t)
    return " ".join(str(found or "no message").split())


@apprise.decorators.notify(on=SCHEMA, name="GOV.UK Notify")
def _send(body, title, notify_type, meta, *args, **kwargs) -> bool:
    from notifications_python_client.errors import HTTPError
    from notifications_python_client.notifications import NotificationsAPIClient

    kind = (meta.get("host") or "").lower()
    address = unquote((meta.get("fullpath") or "").strip("/"))
    if kind not in (EMAIL, SMS) or not address:
        logger.warning(f"GOV.UK Notify: a contact is govuknotify://email/ADDRESS or "
                       f"govuknotify://sms/NUMBER {PERMANENT}")
        return False
    key = os.environ.get(ENV_KEY, "").strip()
    template = os.environ.get(ENV_TEMPLATES[kind], "").strip()
    if not key or not template:
        missing = ENV_KEY if not key else ENV_TEMPLATES[kind]
        logger.warning(f"GOV.UK Notify: {missing} is not set {PERMANENT}")
        return False
    try:
        client = NotificationsAPIClient(key, base_url=os.environ.get(ENV_BASE) or DEFAULT_BASE_URL,
                                        timeout=TIMEOUT)
        if kind == EMAIL:
            client.send_email_notification(email_address=address, template_id=template,
                                           personalisation={"subject": title or "", "body": body})
        else:
            client.send_sms_notification(phone_number=address, template_id=template,
                                         personalisation={"body": body})
    except HTTPError as exc:
        status = exc.status_code
        retry = status == 429 or status >= 500
        logger.warning(f"GOV.UK Notify {'could not take' if retry else 'refused'} the {kind} "
                       f"({status}): {_messages(exc)}" + ("" if retry else f" {PERMANENT}"))
        return False
    except (AssertionError, ValueError) as exc:  # a malformed key: the client cannot sign
        logger.warning(f"GOV.UK Notify: {ENV_KEY} is not a Notify API key ({type(exc).__name__}) "
                       f"{PERMANENT}")
        return False
    return True
