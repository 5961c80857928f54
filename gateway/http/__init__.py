"""The HTTP edge: the front door of ``/graphql`` (``gate.py``) and one module per concern around it.

Nothing is imported here: each concern is imported from its own module.
"""
