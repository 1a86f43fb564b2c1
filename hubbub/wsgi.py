"""The WSGI entry point gunicorn loads: `hubbub.wsgi:app`."""

import logging

from hub import config as hub_config
from hubbub import create_app

config = hub_config.load()
# The worker's log lines go to stderr at LogSettings.ConsoleLevel (and, from create_app, to the buffer
# GET /api/v4/logs reads).
logging.basicConfig(
    level=config["LogSettings"]["ConsoleLevel"].upper(), format="%(levelname)s %(name)s: %(message)s"
)
app = create_app(config)
