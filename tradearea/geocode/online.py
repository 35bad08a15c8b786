"""Opt-in online geocoding through geopy (Nominatim first): rate limited, retried and cached."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from tradearea import __version__
from tradearea.geocode.cache import MISSING, GeocodeCache
from tradearea.geocode.normalise import address_key

log = logging.getLogger(__name__)

DEFAULT_PROVIDER = "nominatim"
DEFAULT_USER_AGENT = f"tradearea/{__version__} (offline-first trade-area analysis)"
# Seconds between requests per provider; the public Nominatim allows one request per second.
MIN_DELAY_S: dict[str, float] = {"nominatim": 1.0, "photon": 1.0, "arcgis": 0.5}
ONLINE_SCORE = 75.0


class OnlineGeocoder:
    """Ask an online provider for addresses the offline chain could not place.

    Off unless created explicitly: customer addresses are personal data and leave the
    machine only through this class. Every answer (also "not found") is cached in SQLite by
    provider and normalised address, so nothing is asked twice; requests are spaced by the
    provider's minimum delay and retried on timeouts.

    Parameters
    ----------
    geocoder : object, optional
        A geopy geocoder (anything with ``geocode(query, exactly_one=True)``); tests pass a
        fake. Default: geopy's class for ``provider``, created on first use.
    provider : str
        geopy service name (``nominatim``, ``photon``, ``arcgis`` ...), also the cache key.
    user_agent : str, optional
        Sent with every request (Nominatim's policy requires one); ``TRADEAREA_USER_AGENT``
        overrides the default.
    min_delay_s : float, optional
        Seconds between two requests (default: the provider's limit, 1 s for Nominatim).
    max_retries : int
        Retries after a timeout or service error (waits 2, 4, 8 ... seconds).
    cache : GeocodeCache or None or False
        The cache; default one under ``tradearea.settings.cache_dir()``; ``False`` for none.
    timeout : float
        Seconds to wait for one answer.
    clock, sleep : callable
        Time source and sleep function (tests pass fakes).
    failures_to_break : int
        Consecutive addresses the provider failed to answer after which no more are sent (a
        circuit breaker: without network the run gives up in seconds, not hours). A provider
        that cannot be reached at all (no route, no name lookup) breaks it at once.

    Attributes
    ----------
    broken : bool
        True once the breaker is open: :meth:`lookup` answers from the cache only.
    failed : int
        Addresses that could not be asked or answered.

    Warnings never contain an address (personal data): only the provider and the error's kind.
    """

    def __init__(
        self,
        geocoder: Any | None = None,
        *,
        provider: str = DEFAULT_PROVIDER,
        user_agent: str | None = None,
        min_delay_s: float | None = None,
        max_retries: int = 2,
        cache: GeocodeCache | bool | None = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        geocoder_options: dict[str, Any] | None = None,
        failures_to_break: int = 3,
    ) -> None:
        self.provider = provider.lower()
        self.user_agent = user_agent or os.environ.get("TRADEAREA_USER_AGENT", DEFAULT_USER_AGENT)
        self.min_delay_s = (
            MIN_DELAY_S.get(self.provider, 1.0) if min_delay_s is None else float(min_delay_s)
        )
        self.max_retries = max(0, int(max_retries))
        self.timeout = timeout
        self._geocoder = geocoder
        self._options = geocoder_options or {}
        if cache is None or cache is True:
            self.cache: GeocodeCache | None = GeocodeCache()
        elif cache is False:
            self.cache = None
        else:
            self.cache = cache
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None
        self.requests = 0
        self.cache_hits = 0
        self.failures_to_break = max(1, int(failures_to_break))
        self.broken = False
        self.failed = 0
        self._in_a_row = 0

    @property
    def geocoder(self) -> Any:
        """The geopy geocoder, created on first use (no network until an address is asked)."""
        if self._geocoder is None:
            # optional, online only: geopy is imported when an online provider is turned on
            from geopy.geocoders import get_geocoder_for_service

            cls = get_geocoder_for_service(self.provider)
            self._geocoder = cls(user_agent=self.user_agent, timeout=self.timeout, **self._options)
        return self._geocoder

    def _wait_turn(self) -> None:
        now = self._clock()
        if self._last is not None:
            wait = self.min_delay_s - (now - self._last)
            if wait > 0:
                self._sleep(wait)
                now = self._clock()
        self._last = now

    def lookup(self, address: str) -> dict[str, Any] | None:
        """Geocode one address online (or from the cache).

        Parameters
        ----------
        address : str
            The address as typed.

        Returns
        -------
        dict or None
            ``lat``, ``lon``, ``matched_address``, ``raw``; None if the provider found nothing
            or kept failing.
        """
        akey = address_key(address)
        if not akey:
            return None
        if self.cache is not None:
            hit = self.cache.get(self.provider, akey)
            if hit is not MISSING:
                self.cache_hits += 1
                return hit
        if self.broken:
            self.failed += 1
            return None
        answer, ok = self._ask(address)
        if ok:
            self._in_a_row = 0
            if self.cache is not None:
                self.cache.put(self.provider, akey, answer)
        else:
            self.failed += 1
            self._in_a_row += 1
            if self._in_a_row >= self.failures_to_break:
                self._break(f"{self._in_a_row} addresses in a row failed")
        return answer

    def _break(self, why: str) -> None:
        if not self.broken:
            log.warning("%s: %s; no more addresses are sent", self.provider, why)
        self.broken = True

    def _ask(self, address: str) -> tuple[dict[str, Any] | None, bool]:
        from geopy import exc as geopy_exc  # optional, online only (see geocoder)

        transient = (
            geopy_exc.GeocoderTimedOut,
            geopy_exc.GeocoderUnavailable,
            geopy_exc.GeocoderServiceError,
        )
        for attempt in range(self.max_retries + 1):
            self._wait_turn()
            self.requests += 1
            try:
                location = self.geocoder.geocode(address, exactly_one=True)
            except geopy_exc.GeocoderRateLimited as exc:
                if attempt == self.max_retries:
                    log.warning("%s: rate limited, giving up on one address", self.provider)
                    return None, False
                self._sleep(float(exc.retry_after or 2 ** (attempt + 1)))
                continue
            except (
                geopy_exc.GeocoderAuthenticationFailure,
                geopy_exc.GeocoderInsufficientPrivileges,
            ):
                raise
            except transient as exc:
                kind = type(exc).__name__  # never the message: it holds the address
                if _unreachable(exc):
                    self._break(f"cannot be reached ({kind})")
                    return None, False
                if attempt == self.max_retries:
                    log.warning("%s: %s; giving up on one address", self.provider, kind)
                    return None, False
                self._sleep(float(2 ** (attempt + 1)))
                continue
            if location is None:
                return None, True
            raw = getattr(location, "raw", None)
            return {
                "lat": float(location.latitude),
                "lon": float(location.longitude),
                "matched_address": str(getattr(location, "address", "") or ""),
                "raw": raw if isinstance(raw, dict) else {},
            }, True
        return None, False


def _unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says there is no network to the provider.

    A connection or name-lookup error (an ``OSError`` other than a timeout) anywhere along the
    chain of causes; a timeout or an HTTP error from a reachable service is not.
    """
    seen: BaseException | None = exc
    for _ in range(10):  # bounded walk along the chain of causes
        if seen is None:
            return False
        timeout = isinstance(seen, TimeoutError) or "timeout" in type(seen).__name__.lower()
        if isinstance(seen, OSError) and not timeout:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def make_online(online: Any) -> OnlineGeocoder | None:
    """Turn ``geocode_frame``'s ``online`` argument into a geocoder, or None when off.

    ``False``/``None`` -> off (the default); ``True`` -> Nominatim; a provider name -> that
    provider; an :class:`OnlineGeocoder` -> itself; any object with ``geocode`` -> wrapped.
    """
    if online is None or online is False:
        return None
    if isinstance(online, OnlineGeocoder):
        return online
    if online is True:
        return OnlineGeocoder()
    if isinstance(online, str):
        return OnlineGeocoder(provider=online)
    if hasattr(online, "geocode"):
        return OnlineGeocoder(online, provider=type(online).__name__.lower())
    msg = f"online must be False, True, a provider name or a geocoder, not {online!r}"
    raise ValueError(msg)
