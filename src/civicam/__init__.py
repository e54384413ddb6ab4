"""civicam: plan, run and answer for a city's camera network."""

__version__ = "0.1.0"
