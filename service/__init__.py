"""vocmatch service: the Litestar API, its data model and command line.

Import :func:`service.app.create_app` to build the ASGI application; nothing here
connects to a database or loads a model at import time.
"""
