"""The Arcadia half of the graph; each project's incentives are stitched in ``schema/opensolar/stitch.py``."""
