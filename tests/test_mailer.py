"""The digest by email, end to end against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import shutil
import socket
import ssl
import subprocess
from datetime import UTC, date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core.config import EmailConfig
from pipeline.core.errors import ConfigError, MailError
from pipeline.digest.build import build_digest
from pipeline.digest.mailer import CHART_CID, chart_src, send_digest
from pipeline.digest.render import mineral_chart, render_html, render_markdown
from storage import Store, open_database
from tests.test_digest import SEED_DAY, add, fill_from_seeds, stored_meetings

PASSWORD_ENV = "NW_TEST_SMTP_PASSWORD"


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


class Logins:
    """An aiosmtpd authenticator accepting one user/password and recording attempts."""

    def __init__(self, user: str, password: str) -> None:
        self.expected = (user, password)
        self.seen: list[tuple[str, str]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        got = (auth_data.login.decode(), auth_data.password.decode())
        self.seen.append(got)
        # handled=False: let the server answer 535 itself on a refusal.
        return AuthResult(success=got == self.expected, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server():
    servers: list[Controller] = []

    def start(**kwargs) -> tuple[Inbox, int]:
        inbox = Inbox()
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        servers.append(controller)
        return inbox, port

    yield start
    for controller in servers:
        controller.stop()


def email_config(port: int, **changes: Any) -> EmailConfig:
    config = EmailConfig(
        host="127.0.0.1",
        port=port,
        starttls=False,
        sender="newswatch@test.example",
        recipients=("desk@test.example", "lead@test.example"),
        timeout=5.0,
    )
    return dataclasses.replace(config, **changes)


@pytest.fixture
def small_digest(tmp_path):
    path = tmp_path / "nw.db"
    with Store.open(path) as store:
        add(
            store,
            "lithium-talks",
            "Ada Vale met Bo Ruiz in Lima to discuss lithium.",
            published="2026-03-10T10:00:00+00:00",
            minerals=("lithium",),
            officials=("Ada Vale", "Bo Ruiz"),
            events=(
                ("meeting", "Ada Vale met Bo Ruiz in Lima to discuss lithium.", ("Ada Vale",)),
            ),
        )
    db = open_database(path, readonly=True)
    digest = build_digest(db, date(2026, 3, 10), tz=UTC)
    db.close()
    return digest


def parts_by_type(msg: EmailMessage) -> dict[str, list[EmailMessage]]:
    found: dict[str, list[EmailMessage]] = {}
    for part in msg.walk():
        found.setdefault(part.get_content_type(), []).append(part)
    return found


def send(config: EmailConfig, digest, **kwargs) -> EmailMessage:
    chart = mineral_chart(digest)
    html = render_html(digest, chart, chart_src=chart_src())
    return send_digest(config, digest, html, render_markdown(digest), chart, **kwargs)


def test_digest_arrives_as_html_with_text_part_and_inline_chart(smtp_server, small_digest):
    inbox, port = smtp_server()
    send(email_config(port), small_digest)

    ((rcpts, msg),) = inbox.messages
    assert rcpts == ["desk@test.example", "lead@test.example"]
    assert "2026-03-10" in msg["Subject"]
    assert msg.get_content_type() == "multipart/alternative"
    parts = parts_by_type(msg)
    assert "multipart/related" in parts
    (text,) = parts["text/plain"]
    (html,) = parts["text/html"]
    (image,) = parts["image/png"]
    assert "Ada Vale met Bo Ruiz in Lima to discuss lithium." in text.get_content()
    assert f'src="cid:{CHART_CID}"' in html.get_content()
    assert image["Content-ID"] == f"<{CHART_CID}>"
    assert image.get_content().startswith(b"\x89PNG")
    assert "data:image/png" not in html.get_content()  # mail clients block data URIs


def test_login_uses_the_password_from_the_environment(smtp_server, small_digest):
    logins = Logins("desk-bot", "s3cret")
    inbox, port = smtp_server(authenticator=logins, auth_require_tls=False)
    config = email_config(port, user="desk-bot", password_env=PASSWORD_ENV)
    send(config, small_digest, environ={PASSWORD_ENV: "s3cret"})
    assert logins.seen == [("desk-bot", "s3cret")] and len(inbox.messages) == 1

    with pytest.raises(MailError, match="login"):
        send(config, small_digest, environ={PASSWORD_ENV: "wrong"})
    with pytest.raises(ConfigError, match=PASSWORD_ENV):
        send(config, small_digest, environ={})
    assert len(inbox.messages) == 1


@pytest.mark.skipif(
    shutil.which("openssl") is None, reason="needs the openssl command for a test certificate"
)
def test_starttls_with_a_trusted_certificate(smtp_server, small_digest, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    inbox, port = smtp_server(tls_context=server_tls, require_starttls=True)

    with pytest.raises(MailError):  # the server insists on STARTTLS
        send(email_config(port), small_digest)
    trusted = ssl.create_default_context(cafile=str(cert))
    send(email_config(port, starttls=True), small_digest, ssl_context=trusted)
    assert len(inbox.messages) == 1
    with pytest.raises(MailError, match=r"TLS|certificate"):  # the system store does not know it
        send(email_config(port, starttls=True), small_digest)


def test_unreachable_server_is_a_one_line_error(small_digest):
    with pytest.raises(MailError, match=r"cannot reach SMTP server 127\.0\.0\.1"):
        send(email_config(free_port()), small_digest)
    with pytest.raises(ConfigError, match="not configured"):
        send(EmailConfig(), small_digest)


@pytest.mark.integration
def test_cli_emails_the_seed_day_digest(smtp_server, tmp_path, nlp_full):
    """The acceptance case: the Finance Ministerial digest arrives by SMTP."""
    seeded = fill_from_seeds(tmp_path, nlp_full)
    inbox, port = smtp_server()
    config = tmp_path / "mail.toml"
    config.write_text(
        f'[storage]\npath = "{seeded.db_path}"\n\n'
        f'[digest.email]\nhost = "127.0.0.1"\nport = {port}\n'
        'starttls = false\nsender = "newswatch@test.example"\nrecipients = ["desk@test.example"]\n'
    )
    result = CliRunner().invoke(
        main,
        [
            "--config",
            str(config),
            "digest",
            "--date",
            SEED_DAY.isoformat(),
            "--out",
            str(tmp_path / "out"),
            "--email",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "emailed to desk@test.example" in result.output

    ((_, msg),) = inbox.messages
    assert SEED_DAY.isoformat() in msg["Subject"]
    parts = parts_by_type(msg)
    html = parts["text/html"][0].get_content()
    for meeting in stored_meetings(Path(seeded.db_path)):
        assert meeting["evidence"] in html.replace("&#39;", "'")
    assert f"cid:{CHART_CID}" in html and len(parts["image/png"]) == 1


def test_cli_reports_an_smtp_failure_with_exit_1(tmp_path, small_digest):
    db_path = tmp_path / "nw.db"  # small_digest filled it
    config = tmp_path / "mail.toml"
    config.write_text(
        f'[storage]\npath = "{db_path}"\n\n'
        f'[digest.email]\nhost = "127.0.0.1"\nport = {free_port()}\n'
        'starttls = false\nsender = "a@test.example"\nrecipients = ["b@test.example"]\n'
    )
    result = CliRunner().invoke(
        main,
        [
            "--config",
            str(config),
            "digest",
            "--date",
            "2026-03-10",
            "--out",
            str(tmp_path / "out"),
            "--email",
        ],
    )
    assert result.exit_code == 1
    assert "cannot reach SMTP server" in result.output and "Traceback" not in result.output
