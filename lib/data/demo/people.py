"""Who lives in each block group: residents by group, households and income, and how strongly each block group
draws predictions."""
from __future__ import annotations

import math

import numpy as np

from lib.data.demo.model import (GROUP_INDEX, GROUPS, LOW_INCOME_BASE, LOW_INCOME_NOISE, LOW_INCOME_SLOPE,
                                 MEDIAN_RESIDENTS, MIXED_BLOCK_GROUPS, PEOPLE_PER_HOUSEHOLD, RESIDENTS_SPREAD,
                                 RISK_CORRELATION, RISK_SPREAD, DemoDepartment)

def residents_by_group(dept: DemoDepartment, centres: np.ndarray, empty: np.ndarray, rng: np.random.Generator):
    """Residents by group: neighbourhoods around each group's anchor, mixed where they meet."""
    n = len(centres)
    main = [(GROUP_INDEX[g], x, y) for g, x, y in dept.anchors if g != "asian"]
    distance = np.stack([np.hypot(centres[:, 0] - x, centres[:, 1] - y) for _, x, y in main], axis=1)
    distance += rng.normal(0, 0.05, distance.shape)
    nearest = np.argsort(distance, axis=1)
    margin = np.take_along_axis(distance, nearest[:, 1:2], 1)[:, 0] - distance.min(axis=1)
    preference = np.array([[main[j][0] for j in order] for order in nearest])
    preference = np.column_stack([preference, np.full(n, GROUP_INDEX["asian"])])
    top_share = rng.uniform(0.55, 0.9, n)

    mixed = np.argsort(np.where(empty, np.inf, margin), kind="stable")[:MIXED_BLOCK_GROUPS]
    top_share[mixed] = rng.uniform(0.38, 0.46, len(mixed))
    for g, x, y in dept.anchors:
        if g == "asian":
            asian = int(np.argmin(np.where(empty, np.inf, np.hypot(centres[:, 0] - x, centres[:, 1] - y))))
            preference[asian] = np.roll(preference[asian], 1)
            top_share[asian] = rng.uniform(0.52, 0.65)

    other = rng.uniform(0.02, 0.06, n)
    rest = 1 - top_share - other
    second = rest * rng.uniform(0.5, 0.62, n)
    third = (rest - second) * rng.uniform(0.55, 0.8, n)
    ranked_shares = np.column_stack([top_share, second, third, rest - second - third])
    shares = np.zeros((n, len(GROUPS)))
    np.put_along_axis(shares, preference, ranked_shares, axis=1)

    totals = np.where(empty, 0, np.round(rng.lognormal(math.log(MEDIAN_RESIDENTS), RESIDENTS_SPREAD, n))).astype(int)
    return np.floor(shares * totals[:, None]).astype(int), totals


def household_income(race: np.ndarray, totals: np.ndarray, rng: np.random.Generator):
    """Households, low-income households and income brackets, poorer where more residents are Black or Latino."""
    n = len(totals)
    minority = minority_share(race, totals)
    low_share = np.clip(LOW_INCOME_BASE + LOW_INCOME_SLOPE * minority + rng.normal(0, LOW_INCOME_NOISE, n), 0.03, 0.92)
    households = np.round(totals / rng.uniform(*PEOPLE_PER_HOUSEHOLD, n)).astype(int)
    low_income = np.round(low_share * households).astype(int)
    under_45k = np.clip(low_share * rng.uniform(0.85, 1.1, n), 0.01, 0.95)
    affluence = 1 - low_share
    upper = np.column_stack([1.4 - affluence, np.ones(n), 0.4 + 1.2 * affluence, 0.05 + 0.9 * affluence ** 2])
    upper = upper / upper.sum(axis=1, keepdims=True) * (1 - under_45k)[:, None]
    brackets = rng.multinomial(households, np.column_stack([under_45k, upper]))
    return households, low_income, brackets


def minority_share(race: np.ndarray, totals: np.ndarray) -> np.ndarray:
    black_latino = race[:, GROUP_INDEX["black"]] + race[:, GROUP_INDEX["latino"]]
    return np.divide(black_latino, totals, out=np.zeros(len(totals)), where=totals > 0)


def block_group_risk(race, totals, low_income, households, rng) -> np.ndarray:
    """How strongly each block group draws predictions; uninhabited ones get a middling value."""
    inhabited = totals > 0
    low_share = np.divide(low_income, households, out=np.zeros(len(totals)), where=households > 0)
    need = _standard_scores(_ranks(minority_share(race, totals)[inhabited]) + _ranks(low_share[inhabited]))
    noise = rng.normal(0, 1, len(need))
    noise = _standard_scores(noise - need * (noise @ need) / (need @ need))
    score = RISK_CORRELATION * need + math.sqrt(1 - RISK_CORRELATION ** 2) * noise
    risk = np.full(len(totals), 1.0)
    risk[inhabited] = np.exp(RISK_SPREAD * score)
    return risk


def _ranks(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values, kind="stable"), kind="stable").astype(float)


def _standard_scores(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / values.std()
