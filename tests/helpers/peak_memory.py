"""Peak memory of what a test runs, not of the pytest process around it: getrusage's ru_maxrss carries
the pytest process's own peak (RUSAGE_SELF), and a child forked from it carries its parent's size at
the fork across its exec (Linux keeps the high-water mark in the signal struct). VmHWM in /proc is per
address space: fresh after an exec, and resettable for this process (clear_refs)."""

import os
import threading


def vm_hwm_mib(pid: int | str = "self", field: str = "VmHWM") -> float:
    """The process's peak resident memory (VmHWM; VmRSS: now) in MiB; 0 for one that is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def reset_own_peak() -> bool:
    """This process's VmHWM set back to its resident memory now (Linux 4.0+): False where it cannot be."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
        except OSError:
            continue
    return found


class TreePeak:
    """The largest VmHWM of a process and its descendants, sampled every `every_s` while it runs (the
    high-water mark only grows, so a sample misses only what a process did after the last one)."""

    def __init__(self, pid: int, every_s: float = 0.1):
        self.pid, self.mib, self._every_s = pid, 0.0, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.mib = max([self.mib, *(vm_hwm_mib(p) for p in _tree(self.pid))])
            self._stop.wait(self._every_s)

    def __enter__(self) -> "TreePeak":
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()
