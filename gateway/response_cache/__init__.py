"""The operation response cache: keys, the store of response bytes, the hit path, and invalidation.

Nothing is imported here: each piece is imported from its own module.
"""
