"""Receivers on loopback for the deliveries, started and stopped by the tests: a webhook
(http.server) and a small SMTP server speaking what :mod:`smtplib` needs (EHLO, AUTH PLAIN,
MAIL, RCPT, DATA, QUIT), each on a port the system picks."""

from __future__ import annotations

import base64
import json
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Webhook:
    """What the webhook received; ``statuses`` are the answers to give, in turn (then 200)."""

    url: str = ""
    posts: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    attempts: int = 0


@contextmanager
def webhook() -> Iterator[Webhook]:
    hook = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hook.attempts += 1
            status = hook.statuses.pop(0) if hook.statuses else 200
            if status == 200:
                assert self.headers["Content-Type"] == "application/json"
                hook.posts.append(json.loads(body))
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook/secret-token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: Message
    login: tuple[str, str] | None


@dataclass
class Smtp:
    port: int = 0
    mails: list[Mail] = field(default_factory=list)


@contextmanager
def smtp_server() -> Iterator[Smtp]:
    box = Smtp()

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            sender, recipients, login = "", [], None
            self.reply("220 localhost test SMTP")
            while line := self.rfile.readline():
                command = line.decode().rstrip("\r\n")
                verb = command.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    self.reply("250-localhost")
                    self.reply("250 AUTH PLAIN")
                elif verb == "HELO":
                    self.reply("250 localhost")
                elif verb == "AUTH":
                    _, user, password = base64.b64decode(command.split()[2]).split(b"\0")
                    login = (user.decode(), password.decode())
                    self.reply("235 2.7.0 Authentication successful")
                elif verb == "MAIL":
                    sender = command.split(":", 1)[1].strip().split()[0].strip("<>")
                    self.reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk[1:] if chunk.startswith(b"..") else chunk
                    box.mails.append(Mail(sender, recipients, message_from_bytes(data), login))
                    recipients = []
                    self.reply("250 OK queued")
                elif verb == "QUIT":
                    self.reply("221 Bye")
                    return
                else:  # RSET, NOOP
                    self.reply("250 OK")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    box.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
