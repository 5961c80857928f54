"""Relay global object identification: opaque global ids and the ``Node`` interface.

``Query.node``/``nodes`` read every type, so they live above this package (``schema/node_queries.py``).
"""
