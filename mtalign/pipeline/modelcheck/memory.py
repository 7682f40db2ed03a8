"""Peak memory of this process, from ``/proc/self/status`` (Linux; None elsewhere)."""

from __future__ import annotations

from pathlib import Path


def reset_peak_rss() -> float | None:
    """Reset the kernel's peak-RSS mark of this process (Linux); the current RSS in MB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return status_mb("VmRSS")


def status_mb(key: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def peak_rss_mb() -> float | None:
    """Peak RSS since the last reset (Linux), else the process's peak (other Unix)."""
    peak = status_mb("VmHWM")
    if peak is not None:
        return peak
    try:
        import resource
        import sys

        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024
    except ImportError:
        return None
