"""The error raised for city, site and model inputs that cannot be used."""


class CityInputError(ValueError):
    """An input file or setting that cannot be planned with; the message names the file."""
