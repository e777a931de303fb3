"""The loaded catalog: lookups by id, prices in force on a date, rental price summaries."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError, PriceNotYetAvailableError, UnknownIdError
from .._core.specs import GpuSpec, ModelSpec
from .records import (
    TERMS,
    ApiPriceRecord,
    FacilityRecord,
    GpuOfferRecord,
    GpuRecord,
    HardwareRecord,
    ModelRecord,
    _Record,
)
from .replica_price import ReplicaGpuPrice, replica_gpu_price

if TYPE_CHECKING:  # pandas is imported by the methods that build frames (CLI start-up)
    import pandas as pd

#: Entity names accepted by :meth:`Catalog.to_frame`, in file order.
ENTITIES = ("models", "gpus", "api_prices", "gpu_offers", "hardware", "facility")
_RECORD_TYPES: dict[str, type[_Record]] = {
    "models": ModelRecord,
    "gpus": GpuRecord,
    "api_prices": ApiPriceRecord,
    "gpu_offers": GpuOfferRecord,
    "hardware": HardwareRecord,
    "facility": FacilityRecord,
}


@dataclass(frozen=True)
class Catalog:
    """Every catalog row, validated, plus the ``catalog_version`` of the manifest.

    Build it with :func:`llmcost.catalog.load_catalog`. Rows are immutable tuples; lookups raise
    :class:`UnknownIdError` with close matches for unknown ids.
    """

    catalog_version: str
    models: tuple[ModelRecord, ...]
    gpus: tuple[GpuRecord, ...]
    api_prices: tuple[ApiPriceRecord, ...]
    gpu_offers: tuple[GpuOfferRecord, ...]
    hardware: tuple[HardwareRecord, ...]
    facility: tuple[FacilityRecord, ...]
    #: Which file each entity was read from (bundled or the user's directory).
    files: dict[str, str] = field(default_factory=dict, compare=False)

    # --- models and GPUs -------------------------------------------------------------------

    def model(self, model_id: str) -> ModelRecord:
        """The model record ``model_id`` (e.g. ``"llama-3.1-70b"``)."""
        return _by_key(self.models, model_id, "model")

    def gpu(self, gpu_id: str) -> GpuRecord:
        """The GPU record ``gpu_id`` (e.g. ``"h100-sxm"``)."""
        return _by_key(self.gpus, gpu_id, "GPU")

    def model_spec(self, model_id: str) -> ModelSpec:
        """The :class:`ModelSpec` of ``model_id`` for the performance model."""
        return self.model(model_id).to_spec()

    def gpu_spec(self, gpu_id: str) -> GpuSpec:
        """The :class:`GpuSpec` of ``gpu_id`` for the performance model."""
        return self.gpu(gpu_id).to_spec()

    # --- API prices -----------------------------------------------------------------------

    @property
    def offer_ids(self) -> list[str]:
        """Every API offer id (``provider/model``), sorted."""
        return sorted({r.offer_id for r in self.api_prices})

    def api_tiers(self, offer_id: str, as_of: date | None = None) -> list[ApiPriceRecord]:
        """Rows of ``offer_id`` in force on ``as_of`` (None: latest), one per tier, base first.

        For each tier (``min_prompt_tokens``), the row in force is the one with the latest
        ``effective_from`` on or before ``as_of``. Raises :class:`InvalidInputError` naming the
        earliest date when ``as_of`` precedes every base-tier row.
        """
        rows = self._offer_rows(offer_id)
        as_of = _as_date(as_of, "as_of")
        in_force: dict[int, ApiPriceRecord] = {}
        for row in sorted(rows, key=lambda r: r.effective_from):
            if as_of is None or row.effective_from <= as_of:
                in_force[row.min_prompt_tokens] = row
        if 0 not in in_force:
            earliest = min(r.effective_from for r in rows if r.min_prompt_tokens == 0)
            raise PriceNotYetAvailableError(
                f"as_of {as_of} is before the first price of {offer_id!r} in the catalog; "
                f"allowed: {earliest.isoformat()} or later",
                available_from=earliest,
            )
        return [in_force[k] for k in sorted(in_force)]

    def api_price(
        self, offer_id: str, as_of: date | None = None, prompt_tokens: int = 0
    ) -> ApiPriceRecord:
        """The price row that bills a request with ``prompt_tokens`` on ``as_of``.

        The base tier, unless ``prompt_tokens`` exceeds a long-context tier's threshold in force
        then (the highest such tier wins). ``as_of`` None means the latest rows.
        """
        if (
            isinstance(prompt_tokens, bool)
            or not isinstance(prompt_tokens, int)
            or (prompt_tokens < 0)
        ):
            raise InvalidInputError(
                f"prompt_tokens must be a non-negative integer; got {prompt_tokens!r}"
            )
        tiers = self.api_tiers(offer_id, as_of)
        chosen = tiers[0]
        for row in tiers[1:]:
            if prompt_tokens > row.min_prompt_tokens:
                chosen = row
        return chosen

    def price_history(self, offer_id: str) -> pd.DataFrame:
        """Every dated row of ``offer_id`` as a DataFrame, oldest first, tiers together."""
        rows = sorted(
            self._offer_rows(offer_id), key=lambda r: (r.effective_from, r.min_prompt_tokens)
        )
        return _frame(rows, ApiPriceRecord)

    def _offer_rows(self, offer_id: str) -> list[ApiPriceRecord]:
        rows = [r for r in self.api_prices if r.offer_id == offer_id]
        if not rows:
            raise UnknownIdError("API offer", offer_id, self.offer_ids)
        return rows

    # --- GPU rental -----------------------------------------------------------------------

    def gpu_offers_for(
        self,
        gpu: str,
        term: str = "on_demand",
        provider: str | None = None,
        as_of: date | None = None,
    ) -> list[GpuOfferRecord]:
        """Rental offers of ``gpu`` for ``term`` (and ``provider``), latest as seen by ``as_of``.

        For each (provider, instance type, region, term) the newest observation on or before
        ``as_of`` (None: the newest) is kept. Returns an empty list when nothing matches.
        """
        self.gpu(gpu)
        if term not in TERMS:
            raise InvalidInputError(f"term must be one of {', '.join(TERMS)}; got {term!r}")
        as_of = _as_date(as_of, "as_of")
        latest: dict[tuple[str, str, str, str], GpuOfferRecord] = {}
        for row in sorted(self.gpu_offers, key=lambda r: r.as_of):
            if row.gpu != gpu or row.term != term:
                continue
            if provider is not None and row.provider != provider:
                continue
            if as_of is not None and row.as_of > as_of:
                continue
            latest[(row.provider, row.instance_type, row.region or "", row.term)] = row
        return sorted(latest.values(), key=lambda r: (r.provider, r.usd_per_gpu_hour))

    def gpu_price_usd_per_hour(
        self,
        gpu: str,
        term: str = "on_demand",
        provider: str | None = None,
        as_of: date | None = None,
    ) -> tuple[float, list[GpuOfferRecord]]:
        """A rental price [USD per GPU-hour] and the offer rows it came from.

        With ``provider`` None the price is the MEDIAN of every matching offer (see
        :meth:`gpu_offers_for`), so one outlier neither sets nor skews the default; with a
        provider it is the median of that provider's offers. Raises :class:`InvalidInputError`
        listing the terms and providers that do exist for ``gpu`` when nothing matches.
        """
        offers = self.gpu_offers_for(gpu, term, provider, as_of)
        if not offers and as_of is not None and self.gpu_offers_for(gpu, term, provider):
            first = min(
                r.as_of
                for r in self.gpu_offers
                if r.gpu == gpu and r.term == term and provider in (None, r.provider)
            )
            raise PriceNotYetAvailableError(
                f"no rental offer in the catalog for gpu {gpu!r}, term {term!r} seen by "
                f"{as_of}; the first is seen {first.isoformat()}",
                available_from=first,
            )
        if not offers:
            existing = sorted({f"{r.provider}:{r.term}" for r in self.gpu_offers if r.gpu == gpu})
            what = f"gpu {gpu!r}, term {term!r}" + (f", provider {provider!r}" if provider else "")
            when = f" seen by {as_of}" if as_of else ""
            allowed = ", ".join(existing) if existing else "none (give a price yourself)"
            raise InvalidInputError(
                f"no rental offer in the catalog for {what}{when}; offers for {gpu!r} "
                f"(provider:term): {allowed}"
            )
        return statistics.median(r.usd_per_gpu_hour for r in offers), offers

    def replica_gpu_price(
        self,
        gpu: str,
        gpus_per_replica: int,
        term: str = "on_demand",
        provider: str | None = None,
        as_of: date | None = None,
        tensor_gpus: int | None = None,
    ) -> ReplicaGpuPrice:
        """The default rental price [USD per GPU-hour] of ``gpu`` for one replica.

        The median over the offers of :meth:`gpu_price_usd_per_hour` (same ``term``,
        ``provider`` and ``as_of``) whose instance size fits a replica of ``gpus_per_replica``
        GPUs with a tensor group of ``tensor_gpus`` (:func:`~llmcost.catalog.replica_price
        .instance_fits_replica`); the median over all of them, marked ``fallback``, when none
        fits. Raises :class:`InvalidInputError` as :meth:`gpu_price_usd_per_hour` does when
        no offer matches at all.
        """
        _, offers = self.gpu_price_usd_per_hour(gpu, term, provider, as_of)
        return replica_gpu_price(offers, gpus_per_replica, tensor_gpus)

    # --- purchase and facility ------------------------------------------------------------

    def hardware_for(self, gpu: str) -> list[HardwareRecord]:
        """Purchase-price rows for ``gpu``: all-in server shares first, each group newest first.

        The first row is therefore the best default for an owned server's price per GPU. May be
        empty.
        """
        self.gpu(gpu)
        rows = [r for r in self.hardware if r.gpu == gpu]
        return sorted(rows, key=lambda r: (r.price_scope == "server_share", r.as_of), reverse=True)

    def facility_default(self, parameter: str) -> FacilityRecord:
        """The documented default for an owned-hardware ``parameter`` (e.g. ``"pue"``)."""
        return _by_key(self.facility, parameter, "facility parameter")

    # --- frames ---------------------------------------------------------------------------

    def to_frame(self, entity: str) -> pd.DataFrame:
        """All rows of ``entity`` (one of :data:`ENTITIES`) as a DataFrame, columns = fields."""
        if entity not in ENTITIES:
            raise InvalidInputError(f"entity must be one of {', '.join(ENTITIES)}; got {entity!r}")
        rows: tuple[_Record, ...] = getattr(self, entity)
        record_type = _RECORD_TYPES[entity]
        return _frame(rows, record_type)


def _by_key(rows: Sequence[Any], key: str, kind: str) -> Any:
    for row in rows:
        if row.key == key:
            return row
    raise UnknownIdError(kind, key, [r.key for r in rows])


def _as_date(value: Any, name: str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInputError(f"{name} must be a date (or ISO string YYYY-MM-DD); got {value!r}")


def _frame(rows: Sequence[_Record], record_type: type[_Record]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([r.as_row() for r in rows], columns=record_type.columns())
