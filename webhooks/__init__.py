"""Integrations that post into Hubbub: incoming webhooks and the CI adapters behind them."""
