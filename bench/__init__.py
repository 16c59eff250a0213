"""Benchmarks run by hand against a database they create; see README.md here."""
