"""The HTTP service: the FastAPI app, middleware, pages and routes."""
