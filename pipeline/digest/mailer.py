"""Send the digest by email: one multipart message over SMTP (STARTTLS optional).

The message is multipart/alternative: a text/plain part (the Markdown digest)
and a multipart/related holding the text/html part and the chart as an inline
image/png that the HTML references as `cid:<CHART_CID>`. Render the HTML for
mail with `render_html(digest, png, chart_src=chart_src())`; `email_digest` does
both.

The SMTP password is read from the environment variable the config names,
never from the config file itself.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pipeline.core.config import EmailConfig
from pipeline.core.errors import ConfigError, MailError
from pipeline.digest.build import Digest

CHART_CID = "mineral-chart@newswatch"


def chart_src() -> str:
    """The `src` the HTML part uses for the inline chart."""
    return f"cid:{CHART_CID}"


def subject(digest: Digest) -> str:
    if digest.is_empty:
        return f"newswatch digest {digest.label}: nothing new"
    return (
        f"newswatch digest {digest.label}: {digest.event_count} events, "
        f"{digest.article_count} articles"
    )


def build_message(
    config: EmailConfig, digest: Digest, html: str, text: str, chart_png: bytes | None
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject(digest)
    msg["From"] = config.sender
    msg["To"] = ", ".join(config.recipients)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain="newswatch")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    if chart_png is not None:
        html_part = next(p for p in msg.iter_parts() if p.get_content_type() == "text/html")
        assert isinstance(html_part, EmailMessage)
        # add_related turns the html part into multipart/related (html + image).
        html_part.add_related(
            chart_png,
            maintype="image",
            subtype="png",
            cid=f"<{CHART_CID}>",
            filename="mineral-chart.png",
            disposition="inline",
        )
    return msg


def email_digest(
    email_config: EmailConfig, digest: Digest, chart_png: bytes | None
) -> EmailMessage:
    """Render the digest for mail (HTML with the inline chart, Markdown as text) and send it.

    What `newswatch digest --email` and the scheduler's digest job both call, so
    the two send the same message.
    """
    from pipeline.digest.render import render_html, render_markdown

    html = render_html(digest, chart_png, chart_src=chart_src() if chart_png else None)
    return send_digest(email_config, digest, html, render_markdown(digest), chart_png)


def send_digest(
    email_config: EmailConfig,
    digest: Digest,
    html: str,
    text: str,
    chart_png: bytes | None,
    *,
    ssl_context: ssl.SSLContext | None = None,
    environ: dict[str, str] | None = None,
) -> EmailMessage:
    """Send the digest to the configured recipients; returns the message sent.

    `ssl_context` (default: the system's trust store) and `environ` (default:
    os.environ) are seams for tests and for a private CA.
    """
    msg = build_message(email_config, digest, html, text, chart_png)
    return send_message(email_config, msg, ssl_context=ssl_context, environ=environ)


def send_message(
    email_config: EmailConfig,
    msg: EmailMessage,
    *,
    ssl_context: ssl.SSLContext | None = None,
    environ: dict[str, str] | None = None,
) -> EmailMessage:
    """Send any message through [digest.email] (the digest, watch alerts); returns it."""
    if not email_config.configured:
        raise ConfigError(
            "digest.email: not configured (set host, sender and recipients in [digest.email])"
        )
    password = None
    if email_config.user:
        env = os.environ if environ is None else environ
        password = env.get(email_config.password_env)
        if not password:
            raise ConfigError(
                f"digest.email: the SMTP password for {email_config.user} is read from "
                f"${email_config.password_env}, which is not set"
            )
    where = f"{email_config.host}:{email_config.port}"
    try:
        with smtplib.SMTP(
            email_config.host, email_config.port, timeout=email_config.timeout
        ) as smtp:
            if email_config.starttls:
                smtp.starttls(context=ssl_context or ssl.create_default_context())
            if email_config.user and password is not None:
                smtp.login(email_config.user, password)
            refused = smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"SMTP login to {where} refused: {_reason(exc)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"SMTP server {where}: {exc}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"SMTP server {where} refused every recipient: {exc.recipients}") from None
    except smtplib.SMTPException as exc:
        raise MailError(f"cannot send mail through {where}: {_reason(exc)}") from None
    except ssl.SSLError as exc:
        raise MailError(f"TLS with {where} failed: {exc.reason or exc}") from None
    except OSError as exc:
        raise MailError(f"cannot reach SMTP server {where}: {exc.strerror or exc}") from None
    if refused:
        raise MailError(f"SMTP server {where} refused some recipients: {sorted(refused)}")
    return msg


def _reason(exc: smtplib.SMTPException) -> str:
    code = getattr(exc, "smtp_code", None)
    error = getattr(exc, "smtp_error", None)
    if code is not None and error is not None:
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        return f"{code} {text}"
    return str(exc) or type(exc).__name__
