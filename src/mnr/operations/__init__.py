"""Operating an installation: the backup snapshot and its restore (``mnr backup``,
``mnr restore``)."""
