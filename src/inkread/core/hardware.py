"""What the processor can do that training settings depend on."""

from __future__ import annotations

import functools
from pathlib import Path

# CPU flags (Linux /proc/cpuinfo) of native bfloat16 arithmetic: AVX-512 BF16 or Intel AMX.
BF16_FLAGS = ("avx512_bf16", "amx_bf16")


@functools.cache
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags from /proc/cpuinfo; empty where that file does not exist."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return frozenset(line.partition(":")[2].split())


def native_bf16(device_type: str = "cpu") -> bool:
    """Whether bfloat16 autocast runs natively (fast) on this device type."""
    if device_type == "cuda":
        # only CUDA callers get here: the core never loads torch itself
        import torch

        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    return any(flag in cpu_flags() for flag in BF16_FLAGS)
