"""Runnable Notes: the tested code behind every page of the site.

Subpackages mirror the site's sections: ``normalization``, ``parallel``,
``distributed``, ``image``, ``detection``. Each module holds one concept, its
public objects wrapped in named ``--8<--`` sections that the pages include.
"""

__version__ = "0.1.0"
