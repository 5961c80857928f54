"""Relay global object identification: opaque global ids, the Node interface, ``node``/``nodes``."""
