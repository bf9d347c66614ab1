"""The roadmap report: figures and tables computed from a plan run, as HTML and PDF."""

from cnplan.report.render import render_html, render_report

__all__ = ["render_html", "render_report"]
