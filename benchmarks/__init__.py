"""Benchmarks: chainrule against micrograd, PyTorch and plain numpy. Run `make bench`."""
