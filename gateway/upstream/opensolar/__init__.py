"""OpenSolar: the client, its records, cache policy, people and writes, and design decoding (the scene)."""
