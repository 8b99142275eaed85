"""Text messages go through one interface: logged by default, an HTTP gateway in production."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from learners.accounts import sms


@pytest.fixture
def gateway():
    """A local HTTP gateway that records what it receives and answers with `status`."""
    received = []
    state = {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"headers": dict(self.headers), "json": json.loads(body)})
            self.send_response(state["status"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send", received, state
    server.shutdown()


def test_console_backend_logs_and_keeps_the_message(outbox, caplog):
    with caplog.at_level(logging.INFO, logger="learners.sms"):
        sms.send_sms("+8613800138005", "验证码 123456")
    assert outbox[-1] == sms.Sms(phone="+8613800138005", message="验证码 123456")
    assert "验证码 123456" in caplog.text


def test_gateway_backend_posts_json_with_the_token(settings, gateway):
    url, received, _state = gateway
    settings.SMS_BACKEND = "learners.accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = url
    settings.SMS_GATEWAY_TOKEN = "t0ken"

    sms.send_sms("+8613800138005", "验证码 123456")

    assert received[0]["json"] == {"phone": "+8613800138005", "message": "验证码 123456"}
    assert received[0]["headers"]["Authorization"] == "Bearer t0ken"


def test_gateway_error_is_logged_and_raised(settings, gateway, caplog):
    url, _received, state = gateway
    state["status"] = 503
    settings.SMS_BACKEND = "learners.accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = url

    with caplog.at_level(logging.ERROR, logger="learners.sms"), pytest.raises(sms.SmsError):
        sms.send_sms("+8613800138005", "hello")
    assert "…8005" in caplog.text and "13800138005" not in caplog.text


def test_unreachable_gateway_is_raised(settings):
    settings.SMS_BACKEND = "learners.accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"
    settings.SMS_GATEWAY_TIMEOUT = 1
    with pytest.raises(sms.SmsError):
        sms.send_sms("+8613800138005", "hello")
