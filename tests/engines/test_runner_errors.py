"""Cluster runners' trouble is said as the runner's: an endpoint that does not answer is one line at once
(it was 200 s of silence), a runner's own error is printed whole (exit 1), a filesystem Beam has no client
for here is one line saying what to install (exit 2). None of them is "a bug in webtext?"."""

import time

import pytest

from conftest import SAMPLE_FLAGS
from helpers.servers import free_port
from webtext.cli.main import run
from webtext.engines.beam.runner_errors import RunnerUnreachable, check_endpoints


def test_a_job_endpoint_with_nothing_listening_is_one_line_at_once(tmp_path, capsys):
    port = free_port()
    started = time.monotonic()
    assert run(["corpus", *SAMPLE_FLAGS, "--out", str(tmp_path / "out"), "--runner", "PortableRunner",
                "--job_endpoint", f"localhost:{port}", "--workers", "0"]) == 1
    assert time.monotonic() - started < 30
    err = capsys.readouterr().err
    assert err == (f"webtext corpus: --job_endpoint localhost:{port} does not answer (Connection refused): "
                   "start the job server or cluster there, or name the one that runs\n")


def test_local_runner_values_are_not_dialled_and_a_local_host_name_is():
    check_endpoints(["--flink_master", "[auto]", "--spark_master_url", "local[4]", "--job_endpoint", "embed"])
    with pytest.raises(RunnerUnreachable, match="--spark_master_url spark://localhost:"):
        check_endpoints(["--spark_master_url", f"spark://localhost:{free_port()}"])


def test_a_runners_own_error_is_printed_whole_as_the_runners(tmp_path, capsys):
    assert run(["corpus", *SAMPLE_FLAGS, "--out", str(tmp_path / "out"), "--runner", "DataflowRunner",
                "--workers", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("webtext corpus: the DataflowRunner runner failed: ValueError: Pipeline has "
                          "validations errors")
    assert "Missing required option: project." in err and "bug" not in err


def test_a_path_beam_has_no_filesystem_for_says_what_to_install(capsys):
    assert run(["corpus", *SAMPLE_FLAGS, "--out", "gs://bucket/webtext"]) == 2
    assert capsys.readouterr().err == ("webtext corpus: gs://bucket/webtext: Beam has no filesystem for "
                                       "gs:// here: pip install 'apache-beam[gcp]==2.77.0'\n")
