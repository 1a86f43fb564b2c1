"""The WSGI entry point gunicorn loads: `server.wsgi:app`."""

from server.app import create_app

app = create_app()
