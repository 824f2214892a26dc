"""The HTTP service: FastAPI on uvicorn, onnxruntime inference, the shared preprocessing, no torch.

`inkread.serve.app.create_app(model_path, settings)` builds the application.
"""
