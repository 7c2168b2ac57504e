"""The notification backends: the SMS gateway over real HTTP, the log without private links, the deploy check."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from core.notify import ConsoleNotifier, HttpSmsNotifier, SmsGatewayError, redact_tokens

TOKEN = "Qm9vayBhbiBlc2NvcnQgdG8gSHVhZG9uZyBIb3NwaXRhbA"  # the shape of secrets.token_urlsafe(32)


class Gateway(BaseHTTPRequestHandler):
    """A gateway that records what it is sent and answers with the server's `status`."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), json.loads(body)))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    server.received, server.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    settings.SMS_SIGN_NAME = "静安区残联"
    yield server
    server.shutdown()
    server.server_close()


def test_the_sms_gateway_receives_the_number_text_and_signature(gateway):
    HttpSmsNotifier().send(to="13912345678", message="验证码 123456")
    [(headers, body)] = gateway.received
    assert body == {"to": "13912345678", "message": "验证码 123456", "sign": "静安区残联"}
    assert headers["Authorization"] == "Bearer secret-token"
    assert headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("status", [400, 429, 500, 503])
def test_a_gateway_refusal_raises_so_nothing_counts_as_sent(gateway, status):
    gateway.status = status
    with pytest.raises(SmsGatewayError, match=str(status)):
        HttpSmsNotifier().send(to="13912345678", message="x")


def test_an_unreachable_gateway_raises(gateway, settings):
    gateway.shutdown()
    gateway.server_close()
    with pytest.raises(SmsGatewayError, match="unreachable"):
        HttpSmsNotifier().send(to="13912345678", message="x")


@pytest.mark.parametrize("url", ["", "http://sms.example.org/send", "ftp://127.0.0.1:21/", "file:///etc/passwd"])
def test_the_gateway_must_be_https_or_on_this_host(settings, url):
    settings.SMS_GATEWAY_URL = url
    with pytest.raises(ImproperlyConfigured):
        HttpSmsNotifier()


def test_outside_development_the_log_keeps_no_private_link(settings, caplog):
    settings.DEBUG = False
    with caplog.at_level(logging.INFO, logger="portal.notify"):
        ConsoleNotifier().send(to="13912345678", message=f"查看进度：https://portal.example/apply/status/{TOKEN}/")
    assert TOKEN not in caplog.text
    assert "/apply/status/Qm9v…/" in caplog.text
    assert "13912345678" not in caplog.text


def test_in_development_the_log_shows_the_link_to_follow(settings, caplog):
    settings.DEBUG = True
    with caplog.at_level(logging.INFO, logger="portal.notify"):
        ConsoleNotifier().send(to="13912345678", message=f"/apply/status/{TOKEN}/")
    assert TOKEN in caplog.text


def test_redaction_keeps_ordinary_words_and_numbers():
    text = "验证码 123456，10分钟内有效 valid for ten minutes"
    assert redact_tokens(text) == text


def deploy_ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True)}


def test_deploy_check_warns_while_messages_would_only_reach_the_log(settings):
    settings.NOTIFICATION_BACKEND = "core.notify.ConsoleNotifier"
    assert "core.W001" in deploy_ids()


def test_deploy_check_refuses_an_sms_backend_without_a_gateway(settings):
    settings.NOTIFICATION_BACKEND = "core.notify.HttpSmsNotifier"
    settings.SMS_GATEWAY_URL = ""
    assert "core.E001" in deploy_ids()
    settings.SMS_GATEWAY_URL = "https://sms.portal.example/send"
    assert not {"core.W001", "core.E001"} & deploy_ids()
