"""The upstream call path: one client per upstream over a shared base (bounded calls, error mapping),
with pacing, adaptive concurrency, retries and the published quotas; one subpackage per upstream."""
