"""Local histogram statistics for enhancement, Gonzalez & Woods §3.3.4.

dtype policy: grayscale ``uint8`` in (ndarray[H, W]); ``local_mean_var`` returns two
float64 arrays, ``local_enhance`` a new ``uint8`` image. The neighbourhood S_xy is a
size x size square centred on (x, y); at the border the image is mirrored
(``d c b a | a b c d``, scipy.ndimage's ``mode="reflect"``). Inputs are never modified.

Twins: ``scipy.ndimage.uniform_filter`` (local mean) and ``scipy.ndimage.generic_filter``.
Mean = ``uniform_filter(image, size, mode="reflect")``, variance =
``generic_filter(image, np.var, size, mode="reflect")``, to within 1e-9.
"""

# --8<-- [start:imports]
from __future__ import annotations

import numpy as np

from snippets.image._validate import check_image
# --8<-- [end:imports]

from snippets._checks import check_int

__all__ = ["local_mean_var", "local_enhance"]


def _check_size(size: object) -> int:
    try:
        odd = check_int("size", size, minimum=1) % 2 == 1
    except (TypeError, ValueError):  # a wrong type is a ValueError here too: one message for all
        odd = False
    if not odd:
        raise ValueError(f"size must be a positive odd int (the neighbourhood is centred), got {size!r}")
    return int(size)


# --8<-- [start:local_mean_var]
def local_mean_var(image: np.ndarray, size: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Mean m_S and variance sigma_S^2 of each size x size neighbourhood S_xy.

    m_S = sum f / n and sigma_S^2 = sum f^2 / n - m_S^2 over the n = size^2 pixels,
    both sums read off summed-area tables. Returns two ndarray[H, W], float64.
    """
    check_image("image", image)
    r = _check_size(size) // 2
    f = np.pad(image.astype(np.float64), r, mode="symmetric")  # = scipy's "reflect"
    n = size * size

    def box_sum(a: np.ndarray) -> np.ndarray:
        # summed-area table with a zero row and column in front: T[i, j] = sum a[:i, :j]
        t = np.zeros((a.shape[0] + 1, a.shape[1] + 1))
        t[1:, 1:] = a.cumsum(0).cumsum(1)
        return t[size:, size:] - t[:-size, size:] - t[size:, :-size] + t[:-size, :-size]

    mean = box_sum(f) / n
    var = np.maximum(box_sum(f * f) / n - mean * mean, 0.0)  # E[f^2] - E[f]^2, biased
    return mean, var
# --8<-- [end:local_mean_var]


# --8<-- [start:local_enhance]
def local_enhance(image: np.ndarray, size: int = 3, C: float = 4.0, k0: float = 0.0,
                  k1: float = 0.4, k2: float = 0.02, k3: float = 0.4) -> np.ndarray:
    """g = C * f where k0 m_G <= m_S <= k1 m_G and k2 sigma_G <= sigma_S <= k3 sigma_G,
    else g = f (m_G, sigma_G: the global mean and standard deviation).

    Picks pixels in dark (low local mean), not flat but not edge-like (moderate local
    deviation) areas and scales them. Defaults: the 3rd edition's example (E = 4,
    k0 = 0.4, k1 = 0.02, k2 = 0.4 there). Returns ndarray[H, W], uint8 (clipped).
    """
    mean, var = local_mean_var(image, size)
    m_g, s_g = image.mean(), image.std()
    s_local = np.sqrt(var)
    chosen = ((k0 * m_g <= mean) & (mean <= k1 * m_g)
              & (k2 * s_g <= s_local) & (s_local <= k3 * s_g))
    out = np.where(chosen, np.rint(C * image.astype(np.float64)), image)
    return np.clip(out, 0, 255).astype(np.uint8)
# --8<-- [end:local_enhance]
