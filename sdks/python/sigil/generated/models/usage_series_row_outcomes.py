from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="UsageSeriesRowOutcomes")


@_attrs_define
class UsageSeriesRowOutcomes:
    """
    Attributes:
        ok (int):
        unauthorized (int):
        forbidden (int):
        rate_limited (int):
        invalid (int):
        not_found (int):
        error (int):
    """

    ok: int
    unauthorized: int
    forbidden: int
    rate_limited: int
    invalid: int
    not_found: int
    error: int

    def to_dict(self) -> dict[str, Any]:
        ok = self.ok

        unauthorized = self.unauthorized

        forbidden = self.forbidden

        rate_limited = self.rate_limited

        invalid = self.invalid

        not_found = self.not_found

        error = self.error

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ok": ok,
                "unauthorized": unauthorized,
                "forbidden": forbidden,
                "rate_limited": rate_limited,
                "invalid": invalid,
                "not_found": not_found,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        ok = d.pop("ok")

        unauthorized = d.pop("unauthorized")

        forbidden = d.pop("forbidden")

        rate_limited = d.pop("rate_limited")

        invalid = d.pop("invalid")

        not_found = d.pop("not_found")

        error = d.pop("error")

        usage_series_row_outcomes = cls(
            ok=ok,
            unauthorized=unauthorized,
            forbidden=forbidden,
            rate_limited=rate_limited,
            invalid=invalid,
            not_found=not_found,
            error=error,
        )

        return usage_series_row_outcomes
