"""A Litestar hello-world app: the baseline of ``bench/bench_recommend_load.py`` (the same client and
server, ``uvicorn _hello:app`` with one worker, against a handler that does nothing)."""

from litestar import Litestar, get


@get("/", sync_to_thread=False)
def hello() -> dict[str, str]:
    return {"hello": "world"}


app = Litestar([hello])
