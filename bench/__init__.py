"""Benchmarks (`make bench`): results are written to bench/*.json, never asserted in tests."""
