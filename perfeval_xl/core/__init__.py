"""Scoring core. Knows nothing about Excel libraries: a snapshot of values goes in,
a scored result and a write plan come out."""
