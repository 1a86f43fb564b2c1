"""GitHub repository webhooks (push, pull requests, issues, releases, Actions and checks)."""
