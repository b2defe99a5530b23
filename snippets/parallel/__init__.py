"""Parallel computing: speedup laws, the sinx ladder, memory bandwidth."""
