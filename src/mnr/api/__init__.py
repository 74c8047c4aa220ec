"""The JSON API under /api/v1/ (django-ninja): the web app's actions and access helpers for
scripts and other systems, with personal API tokens (docs/api.md)."""
