"""Facts derived from a person's records, on arrays: the one definition the scenario and the table paths share.

A birth date is held as the number y·10⁴ + m·100 + d (so that arrays of them are cheap); months are month indices
(`osms.core.dates`)."""

from __future__ import annotations

import datetime as dt

import numpy as np


def birth_key(day: dt.date) -> int:
    """A birth date as y·10⁴ + m·100 + d."""
    return day.year * 10000 + day.month * 100 + day.day


def age_in_month(birth: np.ndarray, month: int) -> np.ndarray:
    """Whole years on the first day of `month` of persons born on `birth` (y·10⁴ + m·100 + d)."""
    y, md = birth // 10000, birth % 10000
    return month // 12 - y - ((month % 12 + 1) * 100 + 1 < md)


def working(
    employed: np.ndarray,
    civil_income: np.ndarray,
    entrepreneur: np.ndarray,
    self_employed: np.ndarray,
    esp_payer: np.ndarray,
) -> np.ndarray:
    """Working: a job (`employed`, one row per job slot), ГПХ income, ИП, self-employment or ЕСП."""
    return employed.any(axis=0) | (civil_income > 0) | entrepreneur | self_employed | esp_payer


def months_not_working(working_back: np.ndarray) -> np.ndarray:
    """Consecutive months with no work just before a month, from `working_back` (months back along axis 0, the
    month before first); all of them if none was worked."""
    worked = working_back.any(axis=0)
    return np.where(worked, np.argmax(working_back, axis=0), working_back.shape[0]).astype(np.float64)
