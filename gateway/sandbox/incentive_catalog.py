"""The simulated Arcadia incentive catalogue: LSEs, property keys and incentives for the sandbox ZIPs.

It covers every applicability kind (range, required value, choice, formula), every rate unit
(COST_PER_UNIT, PERCENTAGE, BLOCK), every cap (quantityKeyCap, percentCostCap, paymentCap), recurring
payments, project-type-exclusive pairs, exhausted and expired incentives, and a non-residential one.
"""

from __future__ import annotations

from gateway.sandbox.incentive_terms import FORMULAS, PROPERTY_KEYS, ZIP_LSES, Incentive
from gateway.sandbox.incentives_federal_ny_ca import FEDERAL_NY_CA
from gateway.sandbox.incentives_nj_az_ma_co_tx import NJ_AZ_MA_CO_TX

__all__ = ["FORMULAS", "INCENTIVES", "PROPERTY_KEYS", "ZIP_LSES", "Incentive"]

# In the order a search answers them.
INCENTIVES: tuple[Incentive, ...] = (*FEDERAL_NY_CA, *NJ_AZ_MA_CO_TX)
