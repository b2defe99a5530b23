"""What ``nn.DataParallel`` does to a batch and to checkpoint keys.

Twins: ``torch.Tensor.chunk`` (how ``torch.nn.parallel.scatter`` splits a batch),
``torch.nn.modules.utils.consume_prefix_in_state_dict_if_present``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
# --8<-- [end:imports]

from snippets._checks import check_int

__all__ = ["scatter_sizes", "strip_module_prefix"]


def _check_positive_int(name: str, value: object) -> int:
    return check_int(name, value, minimum=1)


# --8<-- [start:scatter_sizes]
def scatter_sizes(batch_size: int, num_devices: int) -> list[int]:
    """Per-device batch sizes when DataParallel scatters ``batch_size`` samples over
    ``num_devices``.

    Scatter uses ``Tensor.chunk``: chunks of ``ceil(B / G)`` samples and a smaller
    last one, so fewer than ``G`` devices may get work (9 over 4 -> [3, 3, 3]).
    Devices that get no chunk get no replica; nothing waits for them.
    """
    _check_positive_int("batch_size", batch_size)
    _check_positive_int("num_devices", num_devices)
    chunk = math.ceil(batch_size / num_devices)
    full, rest = divmod(batch_size, chunk)
    return [chunk] * full + ([rest] if rest else [])
# --8<-- [end:scatter_sizes]


# --8<-- [start:strip_module_prefix]
def strip_module_prefix(
    state_dict: Mapping[str, Any], prefix: str = "module."
) -> OrderedDict[str, Any]:
    """A new state dict with ``prefix`` removed from the keys that start with it.

    A ``DataParallel`` / ``DistributedDataParallel`` wrapper stores the model as
    ``.module``, so its ``state_dict()`` keys read ``module.<name>``. The input is
    left untouched (``consume_prefix_in_state_dict_if_present`` edits in place);
    the values are the same tensor objects, not copies.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            f"state_dict must be a mapping, got {type(state_dict).__name__}"
        )
    if not isinstance(prefix, str) or not prefix:
        raise ValueError(f"prefix must be a non-empty str, got {prefix!r}")
    stripped = OrderedDict(
        (key[len(prefix) :] if key.startswith(prefix) else key, value)
        for key, value in state_dict.items()
    )
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is not None:  # per-submodule versions that load_state_dict reads
        # metadata keys: "" (the wrapper), "module" (the model), "module.<child>"
        def rename(key: str) -> str:
            if key and (key == prefix.replace(".", "") or key.startswith(prefix)):
                return key[len(prefix):]
            return key

        stripped._metadata = OrderedDict(  # type: ignore[attr-defined]
            (rename(key), dict(value)) for key, value in metadata.items()
        )
    return stripped
# --8<-- [end:strip_module_prefix]
