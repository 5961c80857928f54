"""The Arcadia half of the graph, and each project's incentives stitched from OpenSolar data."""
