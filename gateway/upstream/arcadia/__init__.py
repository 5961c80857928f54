"""Arcadia (Genability): the incentive client and its records."""
