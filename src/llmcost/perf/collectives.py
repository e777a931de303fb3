"""Collective communication times from the link topology: all-reduce and all-to-all.

A tensor-parallel group all-reduces ``M`` bytes of hidden states twice per layer. Engines do not
use one algorithm for every size: TensorRT-LLM's ``AllReduceStrategy.AUTO`` and vLLM's custom
all-reduce pick a one-shot or two-shot kernel for small and mid-size messages and NCCL (ring,
or NVLS on NVSwitch systems that reduce inside the switch) for large ones, by message size and
group size, i.e. the fastest for the message. The model does the same: the time of an
all-reduce is the minimum over the algorithms the topology allows, each a bandwidth term plus a
latency term (``B`` = effective link bandwidth per direction per GPU, ``α`` = one
synchronisation/hop latency, ``n`` GPUs):

- ring (NCCL; Patarasuk & Yuan 2009): ``2(n−1)/n · M/B + 2(n−1)·α``: every GPU sends and
  receives ``2(n−1)/n · M``, in ``2(n−1)`` dependent steps;
- one-shot (direct peer reads; TensorRT-LLM ``ONESHOT``, vLLM custom all-reduce
  ``cross_device_reduce_1stage``): every GPU reads the whole message of each of its ``n−1``
  peers and reduces locally, ``(n−1) · M/B + 2α`` (one barrier, one hop);
- two-shot (reduce-scatter then all-gather, both by direct peer access; ``TWOSHOT``,
  ``cross_device_reduce_2stage``): the ring's traffic ``2(n−1)/n · M/B`` in two phases,
  ``+ 3α``;
- NVLS (NVLink SHARP: the NVSwitch reduces multicast loads and replicates stores; NCCL 2.17+ on
  third-generation NVSwitch, i.e. HGX H100/H200 and later): every GPU sends and receives ``M``
  once, ``M/B + 2α``.

One-shot and two-shot need every GPU to address every other directly (a switch or a full
mesh: NVLink/NVSwitch, AMD xGMI); over PCIe only the ring runs (no peer-to-peer fabric the
kernels use). NVLS needs ``GpuSpec.nvls``. At ``n = 1`` there is nothing to reduce.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray

__all__ = ["all_reduce_s", "all_to_all_s"]


def all_reduce_s(
    message_bytes: ArrayLike,
    gpus: ArrayLike,
    link_bytes_per_s: ArrayLike,
    latency_s: float,
    *,
    direct: bool,
    nvls: bool,
) -> FloatArray:
    """Time of one all-reduce of ``message_bytes`` over ``gpus`` GPUs, fastest algorithm [s].

    Parameters
    ----------
    message_bytes
        Bytes each GPU contributes (and receives reduced) [B].
    gpus
        GPUs in the group (1: no communication) [GPUs].
    link_bytes_per_s
        Effective bandwidth per GPU per direction [B/s].
    latency_s
        One synchronisation or hop latency [s].
    direct
        Every GPU can read every peer's memory directly (NVLink/NVSwitch, xGMI mesh): one-shot
        and two-shot kernels are available; else ring only.
    nvls
        The switch reduces in the network (NVLink SHARP).

    >>> # 8 GPUs, 1 MB, 100 GB/s, 1 µs: ring 17.5+14, one-shot 70+2, two-shot 17.5+3 [µs]
    >>> round(float(all_reduce_s(1e6, 8, 100e9, 1e-6, direct=True, nvls=False)) * 1e6, 2)
    20.5
    >>> round(float(all_reduce_s(1e6, 8, 100e9, 1e-6, direct=True, nvls=True)) * 1e6, 2)
    12.0
    >>> round(float(all_reduce_s(1e6, 8, 100e9, 1e-6, direct=False, nvls=False)) * 1e6, 2)
    31.5
    """
    m = np.asarray(message_bytes, dtype=np.float64)
    n = np.asarray(gpus, dtype=np.float64)
    link = np.asarray(link_bytes_per_s, dtype=np.float64)
    shared = 2.0 * (n - 1.0) / n * m / link
    best = shared + 2.0 * (n - 1.0) * latency_s  # ring
    if direct:
        one_shot = (n - 1.0) * m / link + 2.0 * latency_s
        two_shot = shared + 3.0 * latency_s
        best = np.minimum(best, np.minimum(one_shot, two_shot))
    if nvls:
        best = np.minimum(best, m / link + 2.0 * latency_s)
    return np.asarray(np.where(n > 1.0, best, 0.0))


def all_to_all_s(
    bytes_out: ArrayLike, gpus: ArrayLike, link_bytes_per_s: ArrayLike, latency_s: float
) -> FloatArray:
    """Time of one all-to-all in which each GPU sends ``bytes_out`` to its peers [s].

    ``bytes_out / B + (n−1)·α`` (pairwise exchanges, one latency per peer); 0 at ``n = 1``.

    >>> round(float(all_to_all_s(1e6, 8, 100e9, 1e-6)) * 1e6, 2)
    17.0
    """
    b = np.asarray(bytes_out, dtype=np.float64)
    n = np.asarray(gpus, dtype=np.float64)
    link = np.asarray(link_bytes_per_s, dtype=np.float64)
    return np.asarray(np.where(n > 1.0, b / link + (n - 1.0) * latency_s, 0.0))
