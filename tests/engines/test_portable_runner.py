"""The sample on Beam's portable runner: a separately started job service and an external SDK worker
pool (the execution path of the Flink and Spark runners) give byte-identical shards."""

import os
import socket
import subprocess
import sys
import time

import pytest

from conftest import SAMPLE_FLAGS
from helpers.servers import free_port
from webtext.shards.reader import read_manifest


def wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port} after {timeout_s} s")


@pytest.fixture
def portable_services():
    # The worker pool starts SDK workers with `python` from PATH: this virtualenv's must come first.
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    job_port, pool_port = free_port(), free_port()
    services = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "apache_beam.runners.portability.local_job_service_main",
                f"--port={job_port}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "apache_beam.runners.worker.worker_pool_main",
                f"--service_port={pool_port}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        wait_for_port(job_port, services[0])
        wait_for_port(pool_port, services[1])
        yield env, job_port, pool_port
    finally:
        for service in services:
            service.kill()
            service.wait(10)


def test_portable_runner_with_external_workers_gives_identical_shards(
    portable_services, sample_corpus, tmp_path
):
    env, job_port, pool_port = portable_services
    out = tmp_path / "portable"
    command = [sys.executable, "-m", "webtext", "corpus", *SAMPLE_FLAGS, "--out", str(out),
               "--runner=PortableRunner", f"--job_endpoint=localhost:{job_port}",
               "--environment_type=EXTERNAL", f"--environment_config=localhost:{pool_port}"]
    subprocess.run(command, env=env, check=True, timeout=300)
    ours, theirs = read_manifest(str(out)), read_manifest(str(sample_corpus))
    assert [(s["tokens_sha256"], s["text_sha256"]) for s in ours["shards"]] == \
           [(s["tokens_sha256"], s["text_sha256"]) for s in theirs["shards"]]
    assert ours["stages"] == theirs["stages"]
