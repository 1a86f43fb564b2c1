"""Mattermost-flavoured Markdown, rendered once on the server: to safe HTML and to plain text."""

from .highlight import highlight_css
from .html import render_attachment_html, render_html
from .text import plain_text

__all__ = ["highlight_css", "plain_text", "render_attachment_html", "render_html"]
