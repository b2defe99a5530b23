"""Object detection: Faster R-CNN from its parts, and SPP-Net."""
