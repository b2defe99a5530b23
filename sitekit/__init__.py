"""Build and test machinery for the site (not reader-facing code).

- ``closure``: content hash of a piece of code and every ``snippets`` module it imports.
- ``blocks``: find the Python blocks (and their shown output) in built HTML.
- ``execute``: run a page's blocks in order, in one namespace, capturing stdout.
- ``figures``: render a ``snippets`` figure function in the light and dark palettes.
- ``worker``: a subprocess that runs pages and figures for the build.
- ``hooks``: the MkDocs hooks that tie these together.
"""
