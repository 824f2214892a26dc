"""Reading lines of handwriting: segmentation, per-character reading with reject, test strings."""
