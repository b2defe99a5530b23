"""Argument checks shared by the image snippets: errors name the argument, the expectation and the value."""

from __future__ import annotations

import numpy as np

from snippets._checks import check_int


def check_image(name: str, image: object, *, gray: bool = True, levels: int = 256) -> np.ndarray:
    """Return ``image`` if it is a non-empty uint8 ndarray (2-D when ``gray``) with values < ``levels``.

    ``TypeError`` for a non-array or a dtype other than uint8, ``ValueError`` for a
    colour image where a grayscale one is needed, an empty image, or a value >= ``levels``.
    """
    if not isinstance(image, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise TypeError(
            f"{name} must have dtype uint8, got {image.dtype}; "
            "convert with skimage.util.img_as_ubyte (floats in [0, 1]) or check the value range first"
        )
    if gray and image.ndim != 2:
        hint = " (a colour image? convert with skimage.color.rgb2gray or cv2.cvtColor)" if image.ndim == 3 else ""
        raise ValueError(f"{name} must be a 2-D grayscale image (H, W), got shape {image.shape}{hint}")
    if not gray and image.ndim not in (2, 3):
        raise ValueError(f"{name} must be (H, W) or (H, W, C), got shape {image.shape}")
    if image.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {image.shape}")
    if levels < 256:
        top = int(image.max())
        if top >= levels:
            raise ValueError(f"{name} values must lie in 0..{levels - 1} for levels={levels}, got a value {top}")
    return image


def check_levels(levels: object) -> int:
    """Return ``levels`` if it is an int in 2..256 (a uint8 image has at most 256 intensity levels)."""
    levels = check_int("levels", levels)
    if not 2 <= levels <= 256:
        raise ValueError(f"levels must be in 2..256 for a uint8 image, got {levels}")
    return levels


def check_level(name: str, value: object, levels: int = 256) -> int:
    """Return ``value`` if it is an int intensity in 0..levels-1."""
    value = check_int(name, value)
    if not 0 <= value <= levels - 1:
        raise ValueError(f"{name} must be in 0..{levels - 1}, got {value}")
    return value
