"""Build machinery: ``generate`` runs the page code and writes what pages include, ``sync``
keeps the Chinese edition in step; ``python -m sitekit generate | serve | sync``."""
