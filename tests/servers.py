"""Run the real `sotclinic serve` (gunicorn) in a subprocess for tests that need a whole server."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(var_dir: Path, log: Path | None = None, **env: str) -> Iterator[str]:
    """Start one gunicorn worker with extra environment `env`; yield its base URL once it
    answers (any HTTP status counts as answering); stop it afterwards. The server's own log
    (stderr) goes to `log` when given."""
    port = free_port()
    stderr = log.open("w") if log else subprocess.DEVNULL
    server = subprocess.Popen(
        [sys.executable, "-m", "sotclinic.cli", "serve"],
        env={
            **os.environ,
            "SOTCLINIC_VAR_DIR": str(var_dir),
            "PORT": str(port),
            "WEB_CONCURRENCY": "1",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5).read()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                # Not up yet: refused, reset, or a first answer slower than the timeout on a
                # busy machine (URLError, ConnectionError and TimeoutError are all OSErrors).
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        if log:
            stderr.close()
