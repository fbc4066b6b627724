"""Wiring: options, the one Beam pipeline, accounting, the manifest and the CLI."""
