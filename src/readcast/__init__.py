"""readcast: turn written articles into an accessible podcast."""

__version__ = "0.1.0"
