"""The web console: FastAPI app factory, accounts, API and media routes."""
