"""CPU time and memory of a process tree from /proc (Linux), for benchmarks that compare servers.

A server may be one process (one uvicorn worker) or a parent with workers (uvicorn ``--workers``,
Hive Gateway ``--fork``): its cost is the sum over the tree. No psutil: three fields of
``/proc/<pid>/stat`` and one line of ``/proc/<pid>/status`` are all this needs.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["Stat", "descendants", "off_main_thread_ns", "parse_stat", "rss_kib", "tree_cpu_seconds", "tree_rss_mib"]

TICKS = os.sysconf("SC_CLK_TCK")


class Stat(tuple[int, int]):
    """(parent pid, user + system clock ticks) of one process."""

    @property
    def ppid(self) -> int:
        return self[0]

    @property
    def ticks(self) -> int:
        return self[1]


def parse_stat(text: str) -> Stat:
    """``/proc/<pid>/stat``: the command name may hold spaces and parentheses, so split after the last ')'."""
    fields = text.rsplit(")", 1)[1].split()
    return Stat((int(fields[1]), int(fields[11]) + int(fields[12])))


def _stats(proc: Path = Path("/proc")) -> dict[int, Stat]:
    stats = {}
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = parse_stat((entry / "stat").read_text())
            except (OSError, IndexError, ValueError):
                continue  # the process ended while we looked
    return stats


def descendants(pid: int, stats: dict[int, Stat]) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for child, stat in stats.items():
        children.setdefault(stat.ppid, []).append(child)
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, ()))
    return tree


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its descendants (children still running)."""
    stats = _stats()
    return sum(stats[p].ticks for p in descendants(pid, stats) if p in stats) / TICKS


def rss_kib(status: str) -> int:
    """The ``VmRSS`` line of ``/proc/<pid>/status``, in KiB (0 when absent, e.g. a zombie)."""
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_rss_mib(pid: int) -> list[float]:
    """Resident memory of each process in the tree, parent first."""
    sizes = []
    for member in descendants(pid, _stats()):
        try:
            sizes.append(rss_kib(Path(f"/proc/{member}/status").read_text()) / 1024)
        except OSError:
            continue
    return sizes


def off_main_thread_ns(pid: int, proc: Path = Path("/proc")) -> int:
    """CPU time (ns, from each thread's ``schedstat``) of ``pid``'s threads other than its main thread and
    of every thread of the processes below it: for a gateway worker, the log listener thread and the log
    writer process (the event loop runs on the main thread). Threads and processes that end between two
    readings drop out, so compare readings of long-lived ones only."""
    total = 0
    for member in descendants(pid, _stats(proc)):
        try:
            tasks = list((proc / str(member) / "task").iterdir())
        except (FileNotFoundError, ProcessLookupError):
            continue
        for task in tasks:
            if member == pid and task.name == str(pid):
                continue
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
                continue
    return total
