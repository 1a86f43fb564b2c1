"""Jenkins builds, as sent by the Notification plugin."""
