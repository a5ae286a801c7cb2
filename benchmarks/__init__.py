"""Benchmarks: each compares maillage with a naive baseline measured in the same run (`make bench`)."""
