"""The Flask app: REST API v4, WebSocket endpoint, web UI. Thin handlers over `hub` services."""
