"""Normalization layers written from their formulas and held to torch.nn.functional."""
