"""A cluster runner's trouble said as the runner's, not as a bug of webtext: an endpoint that does not
answer (checked before submitting, where Beam would wait minutes in silence), an error the runner raised
(printed whole: Dataflow lists the options it misses after the first line), a filesystem Beam has no
client for here."""

import re
import socket
from urllib.parse import urlsplit

from webtext.engines.beam.options import flag_values, remote_runners
from webtext.printable import printable

CONNECT_TIMEOUT_S = 10
# The flags that name where a runner submits its job, and the values that start something locally.
ENDPOINT_FLAGS = {"--job_endpoint": ("embed",), "--flink_master": ("[auto]", "[local]", "[collection]"),
                  "--spark_master_url": ("local", "local[*]", "local[4]")}


class RunnerUnreachable(RuntimeError):
    """A job endpoint or master that does not answer: one line naming it (exit 1)."""


def remote_runner(beam_args: list[str]) -> str | None:
    """The runner named by Beam's flags when it is not one of this process's local runners."""
    runners = remote_runners(beam_args)
    return runners[-1] if runners else None


def _host_port(value: str) -> tuple[str, int] | None:
    if "://" not in value:
        value = "tcp://" + value
    parts = urlsplit(value)
    try:
        return (parts.hostname, parts.port) if parts.hostname and parts.port else None
    except ValueError:
        return None


def check_endpoints(beam_args: list[str], timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """RunnerUnreachable when a job endpoint or master the flags name does not accept a connection within
    `timeout_s` (PortableRunner would otherwise wait 200 s and more with nothing printed)."""
    for flag, local in ENDPOINT_FLAGS.items():
        for value in flag_values(beam_args, flag):
            if value in local or value.startswith("local["):
                continue
            address = _host_port(value)
            if address is None:
                continue
            try:
                socket.create_connection(address, timeout=timeout_s).close()
            except OSError as error:
                why = (f"no answer within {timeout_s:g} s" if isinstance(error, TimeoutError)
                       else error.strerror or str(error))
                raise RunnerUnreachable(f"{flag} {value} does not answer ({why}): "
                                        "start the job server or cluster there, or name the one that "
                                        "runs") from None


_NO_FILESYSTEM = re.compile(r"Unable to get filesystem from specified path.*Path specified: (\S+)", re.S)


def no_filesystem(error: BaseException) -> str | None:
    """One line for a path whose scheme Beam has no client for here (gs:// without apache-beam[gcp])."""
    found = _NO_FILESYSTEM.search(str(error))
    if not found:
        return None
    path = found.group(1)
    extra = {"gs": "gcp", "s3": "aws", "hdfs": "hadoopfiles"}.get(path.split("://")[0], "...")
    return (f"{path}: Beam has no filesystem for {path.split('://')[0]}:// here: "
            f"pip install 'apache-beam[{extra}]==2.77.0'")


def runner_failure(runner: str, error: BaseException) -> str:
    """The runner's own error, whole (every line), as the runner's."""
    text = printable(str(error).strip(), keep_lines=True) or type(error).__name__
    return f"the {runner} runner failed: {type(error).__name__}: {text}"
