"""Export a trained checkpoint as ONNX (onnx_export, with torch), and run such an export without torch.

`inkread.export.runtime` (onnxruntime and numpy only) is the serving path's model.
"""
