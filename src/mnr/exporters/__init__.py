"""Exporters: small registered classes that turn a round into a file.

Each module of this package defines exporters and registers them with ``@register``; every
module here is imported when the registry is first read, so adding a module adds its exporters
to ``mnr export`` (and later to the web and API) without touching any list."""
