"""inkread: read handwritten characters with neural networks."""

__version__ = "0.1.0"
