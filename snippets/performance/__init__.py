"""Performance: GPU kernels measured against the machine's limits, and the Performance page's report code."""
