"""A raw-socket HTTP server that sends each answer byte by byte at a fixed pace, status
line and headers included (what no WSGI server can do), for the total-deadline tests."""

from __future__ import annotations

import socket
import threading
import time


class TricklingServer:
    """Answers every request with ``answer``, one byte every ``pause`` seconds."""

    def __init__(self, answer: bytes, pause: float) -> None:
        self.answer = answer
        self.pause = pause
        self.requests = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)  # the request (small, one read on loopback)
                self.requests += 1
                for byte in self.answer:
                    if self._stopped.is_set():
                        return
                    conn.sendall(bytes([byte]))
                    time.sleep(self.pause)
            except OSError:
                return  # the client hung up

    def stop(self) -> None:
        self._stopped.set()
        self._sock.close()


def http_answer(body: bytes, header_lines: int = 0) -> bytes:
    """A complete HTTP/1.1 answer with ``header_lines`` padding headers."""
    head = ["HTTP/1.1 200 OK", "Content-Type: application/json", f"Content-Length: {len(body)}"]
    head += [f"X-Pad-{i}: {'y' * 10}" for i in range(header_lines)]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
