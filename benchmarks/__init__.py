"""Benchmarks: cloudfront-local against do-nothing floors measured in the same run. `python3 -m benchmarks`."""
