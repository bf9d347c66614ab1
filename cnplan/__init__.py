"""cnplan: factory carbon-neutral energy planner."""

__version__ = "0.1.0"
