"""Serving the progressive web app (the `pwa/` folder) under /app/."""
