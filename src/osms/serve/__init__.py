"""`osms-eval serve`: the engine as a web API and a calculator page (needs the `serve` extra).

Only `app.py` and `server.py` import FastAPI/uvicorn; the other modules are plain Python so that they can be tested
and reused without the extra."""
