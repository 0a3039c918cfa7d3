"""Crash trials at scale: a dispatcher killed with SIGKILL at a random point while it sends, then
the round run to completion at a real SMTP server (aiosmtpd), on SQLite and on PostgreSQL.

    python bench/crash_trials.py [--trials 60] [--people 20] [--backends sqlite postgres]

Each trial (tests/chase/crashtrials.py) queues a fresh round of 6 notifications per person,
forks a dispatcher, kills it after a random delay within the time a round takes to send,
notes the rows it left `sending`, and completes the round after their lease. Printed per
backend: trials, kills, notifications, received, lost (must be 0), in flight at a kill,
delivered twice (each must have been in flight, at most twice, and carry its first copy's
Message-ID). PostgreSQL: PROGRAMME_TEST_PG (default postgresql+psycopg://postgres@127.0.0.1:5432/test),
in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.chase.conftest import SmtpServer  # noqa: E402
from tests.chase.crashtrials import run_trials  # noqa: E402

PG = os.environ.get("PROGRAMME_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    args = parser.parse_args()
    os.environ.setdefault("PROGRAMME_DELIVERY", "live")
    os.environ.pop("PROGRAMME_SMTP_URL", None)
    os.environ["SSL_CERT_FILE"], os.environ["SSL_CERT_DIR"] = "", "/etc/ssl/certs"
    failed = False
    for backend in args.backends:
        work = Path(tempfile.mkdtemp(prefix=f"crash-trials-{backend}-"))
        os.environ["PROGRAMME_HOME"] = str(work / "home")
        smtp = SmtpServer()
        smtp.start()
        schema = None
        try:
            if backend == "sqlite":
                url = f"sqlite:///{work / 'store.db'}"
            else:
                from sqlalchemy import create_engine, text

                schema = f"crash_{uuid.uuid4().hex[:10]}"
                admin = create_engine(PG)
                with admin.begin() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                url = f"{PG}?options=-csearch_path%3D{schema}"
            started = time.perf_counter()
            counts = run_trials(url, smtp, work, args.trials, people=args.people)
            print(counts.line() + f" [{time.perf_counter() - started:.0f} s; kill delays "
                  f"{min(counts.delays):.3f}-{max(counts.delays):.3f} s]", flush=True)
            failed |= bool(counts.lost or counts.outside_window or counts.new_message_id)
        finally:
            smtp.stop()
            if schema:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
