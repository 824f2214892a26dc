"""Package data: the default model (default.onnx) and its model card (default.json), made by `make model`."""
