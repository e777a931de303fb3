"""The rental price of a GPU for one replica: the median over offers whose instances fit it.

Cloud offers come in instance sizes (1, 2, 4 or 8 GPUs of one kind). A replica of ``g`` GPUs
whose tensor-parallel group (``tp × ep`` GPUs, which exchange activations twice per layer over
NVLink/xGMI) is ``t`` GPUs can run on instances of ``n`` GPUs when

- ``n % g == 0``: whole replicas pack into one instance (a 2-GPU replica on a 2-, 4- or 8-GPU
  instance; four of them share an 8-GPU instance), or
- ``g % n == 0`` and ``n % t == 0``: the replica spans whole instances and each instance holds
  whole tensor groups, so only pipeline stages cross instances (a 16-GPU replica as 2 pipeline
  stages of TP 8 on two 8-GPU instances).

A 2-GPU TP-2 replica therefore cannot run on 1-GPU instances, and an 8-GPU TP-8 replica needs an
8-GPU instance. The default price is the median over the offers that fit (see
:func:`replica_gpu_price`). When no offer fits, the price falls back to the median over all of
them and :attr:`ReplicaGpuPrice.fallback` says so (the scenario layer turns that into a warning).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from .._core.errors import InvalidInputError
from .records import GpuOfferRecord

__all__ = ["ReplicaGpuPrice", "instance_fits_replica", "replica_gpu_price"]


def instance_fits_replica(
    gpus_per_instance: int, gpus_per_replica: int, tensor_gpus: int | None = None
) -> bool:
    """Whether instances of ``gpus_per_instance`` GPUs can run replicas of ``gpus_per_replica``.

    Parameters
    ----------
    gpus_per_instance : int
        GPUs in one instance of the offer [GPUs].
    gpus_per_replica : int
        GPUs of one replica [GPUs].
    tensor_gpus : int, optional
        GPUs of the replica's tensor-parallel group, ``tp × ep`` [GPUs]; None: the whole
        replica (``tp = gpus_per_replica``).

    Returns
    -------
    bool
        True when whole replicas pack into one instance, or the replica spans whole instances
        each holding whole tensor groups.

    Examples
    --------
    >>> instance_fits_replica(8, 2), instance_fits_replica(1, 2), instance_fits_replica(1, 1)
    (True, False, True)
    >>> instance_fits_replica(8, 16, tensor_gpus=8), instance_fits_replica(1, 2, tensor_gpus=1)
    (True, True)
    """
    n, g = int(gpus_per_instance), int(gpus_per_replica)
    t = g if tensor_gpus is None else int(tensor_gpus)
    if n < 1 or g < 1 or t < 1:
        raise InvalidInputError(
            f"GPU counts must be ≥ 1; got gpus_per_instance {n}, gpus_per_replica {g}, "
            f"tensor_gpus {t}"
        )
    return n % g == 0 or (g % n == 0 and n % t == 0)


@dataclass(frozen=True)
class ReplicaGpuPrice:
    """A default rental price [USD per GPU-hour] for one replica and the offers behind it.

    Attributes
    ----------
    usd_per_gpu_hour : float
        Median of ``used`` [USD per GPU-hour].
    used : tuple of GpuOfferRecord
        The offers the median is taken over: those that fit the replica, or every offer when
        none fits (``fallback``).
    left_out : tuple of GpuOfferRecord
        Offers whose instance size cannot run the replica (empty on fallback).
    fallback : bool
        True when no offer fits and the median is over every offer.
    gpus_per_replica : int
        The replica's GPUs [GPUs].
    tensor_gpus : int
        The replica's tensor-parallel group, ``tp × ep`` [GPUs].
    """

    usd_per_gpu_hour: float
    used: tuple[GpuOfferRecord, ...]
    left_out: tuple[GpuOfferRecord, ...]
    fallback: bool
    gpus_per_replica: int
    tensor_gpus: int

    def describe(self) -> str:
        """One line naming the replica, every offer used and every offer left out."""
        shape = f"{self.gpus_per_replica}-GPU replica (tensor group {self.tensor_gpus} GPUs)"
        used = ", ".join(_offer(r) for r in self.used)
        n = len(self.used)
        if self.fallback:
            return (
                f"median of all {_count(n)}, no instance size fitting a {shape} whole "
                f"(fallback): {used}"
            )
        text = f"median of {_count(n)} whose instance size fits a {shape}: {used}"
        if self.left_out:
            text += "; left out (instance size does not fit the replica): " + ", ".join(
                _offer(r) for r in self.left_out
            )
        return text


def _count(n: int) -> str:
    return f"{n} offer" if n == 1 else f"{n} offers"


def _offer(row: GpuOfferRecord) -> str:
    return (
        f"{row.provider}/{row.instance_type} ({row.gpus_per_instance} GPU, {row.as_of}) "
        f"${row.usd_per_gpu_hour:.2f}"
    )


def replica_gpu_price(
    offers: Sequence[GpuOfferRecord], gpus_per_replica: int, tensor_gpus: int | None = None
) -> ReplicaGpuPrice:
    """The median price over the ``offers`` whose instances fit the replica.

    Parameters
    ----------
    offers : sequence of GpuOfferRecord
        Candidate offers (one GPU type and term; :meth:`Catalog.gpu_offers_for`), not empty.
    gpus_per_replica : int
        GPUs of one replica [GPUs].
    tensor_gpus : int, optional
        The replica's tensor-parallel group ``tp × ep`` [GPUs] (None: the whole replica).

    Returns
    -------
    ReplicaGpuPrice
        The median over the fitting offers, or over all of them with ``fallback`` True when
        none fits.
    """
    if not offers:
        raise InvalidInputError("replica_gpu_price needs at least one offer")
    t = int(gpus_per_replica if tensor_gpus is None else tensor_gpus)
    ok = [instance_fits_replica(r.gpus_per_instance, gpus_per_replica, t) for r in offers]
    fit = [r for r, good in zip(offers, ok, strict=True) if good]
    out = [r for r, good in zip(offers, ok, strict=True) if not good]
    fallback = not fit
    used = list(offers) if fallback else fit
    return ReplicaGpuPrice(
        usd_per_gpu_hour=float(statistics.median(r.usd_per_gpu_hour for r in used)),
        used=tuple(used),
        left_out=() if fallback else tuple(out),
        fallback=fallback,
        gpus_per_replica=int(gpus_per_replica),
        tensor_gpus=t,
    )
