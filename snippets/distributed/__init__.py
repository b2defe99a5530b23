"""Distributed PyTorch: DataParallel and DDP pitfalls, run on torch.distributed."""
