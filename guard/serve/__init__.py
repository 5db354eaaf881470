"""`guard serve`: the HTTP API (FastAPI + uvicorn: the optional extra `guard[server]`).

    state.py       Engine (Guard, pre-send check, reply router), built warm; Engines
                   swaps it whole on reload
    app.py         create_app(): routers, {"error": …} errors, middleware;
                   PLUGGED_ROUTERS for other features' pages
    routes.py      /v1/check, /v1/check/batch, /v1/suggest, /v1/replies/{scenario}, /v1/info,
                   /v1/reload, /healthz
    middleware.py  access log, API key, body limit (plain ASGI)
    respond.py     request bodies parsed with clear errors; JSON responses
    models.py      the bodies as pydantic models (validation and the OpenAPI docs)
    limits.py      limits, settings, ApiError
    command.py     the command line: build warm, bind, serve, SIGHUP reloads

Nothing here is imported by `guard` itself: the core library and the other
commands work without FastAPI installed (`command.register` imports nothing heavy).
"""
