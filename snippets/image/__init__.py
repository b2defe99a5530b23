"""Digital image processing: representation, intensity transforms, histograms (uint8 in, uint8 out unless stated)."""
