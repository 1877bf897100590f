"""Memory settings for large runs: what the CLI applies before it scores, and a notebook can too.

>>> from followup.memory import use_batch_memory_settings
>>> use_batch_memory_settings()  # before loading millions of events

Both settings are measured in docs/performance.md; each steps aside when the user has set
the corresponding environment variables.
"""

from __future__ import annotations

import os
import platform


def use_batch_memory_settings() -> None:
    """Apply :func:`lean_arrow_memory` and :func:`reuse_freed_memory`."""
    lean_arrow_memory()
    reuse_freed_memory()


def lean_arrow_memory() -> None:
    """Use Arrow's jemalloc pool for a run unless ARROW_DEFAULT_MEMORY_POOL says otherwise.

    A run creates and drops many large Arrow buffers (text columns, reasons); jemalloc reuses
    their memory best: at 10M events a run took 18.2 s with it and 21.7 s with Arrow's
    default mimalloc pool, at the same 3.1 GB peak (docs/performance.md).
    """
    import pyarrow as pa

    # A pyarrow build without jemalloc keeps its default pool.
    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ and "jemalloc" in pa.supported_memory_backends():
        pa.set_memory_pool(pa.jemalloc_memory_pool())


def reuse_freed_memory() -> None:
    """Have glibc keep freed memory for the next array instead of returning it to the system.

    A run makes many short-lived arrays of tens of megabytes. By default each is a fresh
    mapping whose pages the kernel must zero again: at 10M events that took the run to about
    24.5 s instead of 21.5 s, at the same 3.0 GB peak (docs/performance.md). Skipped when the user
    tunes malloc through its MALLOC_* variables, or off glibc.
    """
    # Other C libraries (musl, macOS, Windows) have no such settings.
    if platform.libc_ver()[0] != "glibc" or any(name.startswith("MALLOC_") for name in os.environ):
        return
    import ctypes

    mallopt = ctypes.CDLL("libc.so.6").mallopt
    trim_threshold, top_pad, mmap_max = -1, -2, -4  # glibc's M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX
    mallopt(mmap_max, 0)
    mallopt(trim_threshold, 1 << 30)
    mallopt(top_pad, 256 << 20)
