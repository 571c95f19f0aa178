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
def serving(var_dir: Path, **env: str) -> Iterator[str]:
    """Start one gunicorn worker with extra environment `env`; yield its base URL once it
    answers (any HTTP status counts as answering); stop it afterwards."""
    port = free_port()
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
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5).read()
                break
            except urllib.error.HTTPError:
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                # Not up yet, or slow to answer its first request on a busy machine.
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
