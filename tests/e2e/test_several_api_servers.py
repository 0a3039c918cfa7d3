"""Several machines (docs/several-machines.md): two Prefect API servers on one PostgreSQL
database share their events through Redis (`prefect-redis`). An event sent to the API server
that runs no services is stored by the other one's event persister, which can only have heard
of it through Redis, and is then read back through either. Without the Redis settings each API
server keeps its events in its own memory and this fails.

Needs the `cluster` extra (prefect-redis) and Redis on 127.0.0.1:6379 (required in CI)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import IN_CI
from served import api_post, free_port, healthy, prefect_database, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REDIS_HOST, REDIS_PORT = "127.0.0.1", int(os.environ.get("PROGRAMME_TEST_REDIS_PORT", "6379"))
DATABASES = range(2, 12)  # bench/cluster.py uses 13 and 14 by default


def _need(what: str, problem: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is required in CI: {problem}")
    pytest.skip(f"{what}: {problem}")


def _free_redis_db():
    """A Redis database on the local server that holds nothing, emptied again afterwards (two
    Prefect installations in one database would take each other's events)."""
    try:
        import prefect_redis  # noqa: F401
        import redis
    except ImportError as exc:
        _need("prefect-redis (pip install -e '.[cluster]')", str(exc))
    for db in DATABASES:
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db, socket_timeout=5)
        try:
            if client.dbsize() == 0:
                return db, client
        except redis.RedisError as exc:
            _need(f"Redis on {REDIS_HOST}:{REDIS_PORT}", str(exc))
    _need("an empty Redis database", f"databases {DATABASES.start}-{DATABASES.stop - 1} all hold keys")
    raise AssertionError("unreachable")


def _events(api: str, name: str) -> list[dict]:
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    found = api_post(api, "/events/filter", {"filter": {"event": {"name": [name]},
                                                        "occurred": {"since": since}}, "limit": 10})
    return found.get("events", [])


def test_an_event_sent_to_one_api_server_is_seen_through_the_other(tmp_path: Path) -> None:
    db, client = _free_redis_db()
    procs: list[subprocess.Popen] = []
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PROGRAMME_"))}
    try:
        with prefect_database() as database:
            env = {**base, "PREFECT_API_DATABASE_CONNECTION_URL": database,
                   "PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
                   "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
                   "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
                   "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
                   "PREFECT_REDIS_MESSAGING_HOST": REDIS_HOST,
                   "PREFECT_REDIS_MESSAGING_PORT": str(REDIS_PORT),
                   "PREFECT_REDIS_MESSAGING_DB": str(db),
                   "PREFECT_REDIS_MESSAGING_PUBLISHER_BATCH_SIZE": "1",
                   "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false",
                   "PREFECT_SERVER_LOGGING_LEVEL": "WARNING"}
            apis = []
            # one after the other: the first migrates the database, the second does not
            for i, extra in ((1, {}), (2, {"PREFECT_API_DATABASE_MIGRATE_ON_START": "false",
                                           "PREFECT_API_BLOCKS_REGISTER_ON_START": "false"})):
                port = free_port()
                api = f"http://127.0.0.1:{port}/api"
                log = open(tmp_path / f"api-{i}.log", "w")  # noqa: SIM115 - the child's
                cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                       "--port", str(port), *(["--no-services"] if i == 2 else [])]
                procs.append(subprocess.Popen(cmd, env={**env, **extra,
                                                        "PREFECT_HOME": str(tmp_path / f"home-{i}")},
                                              stdout=log, stderr=subprocess.STDOUT))
                wait_for(lambda a=api, p=procs[-1]: p.poll() is not None or healthy(a), 120,
                         f"API server {i}")
                assert procs[-1].poll() is None, (tmp_path / f"api-{i}.log").read_text()[-3000:]
                apis.append(api)
            with_services, without = apis

            name = f"programme.test.cluster-{uuid.uuid4().hex[:8]}"
            event_id = str(uuid.uuid4())
            api_post(without, "/events", [{
                "id": event_id, "occurred": datetime.now(UTC).isoformat(), "event": name,
                "resource": {"prefect.resource.id": "programme.test.resource"}, "payload": {}}])

            for api in (without, with_services):
                found = wait_for(lambda a=api: _events(a, name), 45,
                                 f"the event through {api}", interval=0.25)
                assert [e["id"] for e in found] == [event_id]
            assert client.exists("events"), "the event went through Redis's `events` stream"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        client.flushdb()
