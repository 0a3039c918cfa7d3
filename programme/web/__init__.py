"""The check-in service: the pages behind the links in messages, the report page and the JSON
API, as one FastAPI app (`create_app`) served by uvicorn (`programme web`).

Routes are thin: they check the link or token, build the core objects and call the same use
cases as the command line (`programme.usecases.checkin.record_checkin`). No state lives in a
process (links, tokens and posted forms are in the store, the secret in the environment or the
data folder), so several processes behind one proxy answer alike.
"""

from programme.web.app import create_app

__all__ = ["create_app"]
