"""Training with PyTorch: configuration, loop, checkpoints and tracking (import submodules directly)."""
