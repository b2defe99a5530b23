"""Synthetic detection datasets drawn in code.

``make_image`` / ``make_dataset``: one to three well-separated rectangles, ellipses and
triangles on noise (easy: the small detector reaches mAP@0.5 close to 1).
``make_scene`` / ``make_scene_dataset``: five classes, sizes over a 10x range (13 to 128 pixels), landscape
and portrait images, objects that occlude each other, and clutter (hard enough to measure).

Every image comes from a seeded ``torch.Generator``, so the same seed gives the same
images on every machine. Boxes are continuous (x1, y1, x2, y2): a shape that covers
pixels 10..19 has x1 = 10, x2 = 20.
"""

# --8<-- [start:imports]
from __future__ import annotations

import torch
from torch import Tensor
# --8<-- [end:imports]

__all__ = [
    "CLASSES",
    "make_image",
    "make_batch",
    "make_dataset",
    "SCENE_CLASSES",
    "SCENE_SIZES",
    "make_scene",
    "make_scene_dataset",
]


# Argument checks live here, outside the shown sections, so each function reads
# as its math.
def _check_scene_dataset(num_images: int, landscape_fraction: float) -> None:
    if num_images < 0 or not 0.0 <= landscape_fraction <= 1.0:
        raise ValueError(
            f"num_images must be >= 0 and landscape_fraction in [0, 1], "
            f"got {num_images} and {landscape_fraction}"
        )


# --8<-- [start:make_image]
CLASSES = ("background", "rectangle", "ellipse", "triangle")  # label 0 is background


def _uniform(gen: torch.Generator, low: float, high: float) -> float:
    return low + (high - low) * float(torch.rand((), generator=gen))


def make_image(
    generator: torch.Generator,
    size: int = 64,
    num_objects: tuple[int, int] = (1, 3),
    object_size: tuple[float, float] = (12, 28),
    max_overlap: float = 0.1,
) -> tuple[Tensor, Tensor, Tensor]:
    """One image (Tensor[3, size, size] in [0, 1]), its boxes (Tensor[K, 4]) and labels (Tensor[K], int64).

    Each object is a filled rectangle, ellipse or triangle of a random colour and a
    width and height in ``object_size``; objects overlap by IoU <= ``max_overlap``.
    """
    from snippets.detection.boxes import box_iou

    background = torch.rand(3, 1, 1, generator=generator) * 0.5
    image = (background + 0.08 * torch.randn(3, size, size, generator=generator)).clamp(
        0, 1
    )
    ys, xs = torch.meshgrid(
        torch.arange(size) + 0.5, torch.arange(size) + 0.5, indexing="ij"
    )  # pixel centres
    count = int(
        torch.randint(num_objects[0], num_objects[1] + 1, (), generator=generator)
    )
    boxes: list[list[float]] = []
    labels: list[int] = []
    for _ in range(20 * count):  # rejection sampling of the positions
        if len(boxes) == count:
            break
        w, h = (
            round(_uniform(generator, *object_size)),
            round(_uniform(generator, *object_size)),
        )
        x1, y1 = (
            round(_uniform(generator, 0, size - w)),
            round(_uniform(generator, 0, size - h)),
        )
        box = [float(x1), float(y1), float(x1 + w), float(y1 + h)]
        label = int(torch.randint(1, len(CLASSES), (), generator=generator))
        colour = 0.5 + 0.5 * torch.rand(
            3, 1, generator=generator
        )  # brighter than the background
        if (
            boxes
            and box_iou(torch.tensor([box]), torch.tensor(boxes)).max() > max_overlap
        ):
            continue
        if label == 1:  # rectangle
            inside = (xs >= x1) & (xs < x1 + w) & (ys >= y1) & (ys < y1 + h)
        elif label == 2:  # ellipse inscribed in the box
            inside = ((xs - x1 - w / 2) / (w / 2)) ** 2 + (
                (ys - y1 - h / 2) / (h / 2)
            ) ** 2 <= 1
        else:  # triangle: apex at the top centre, base along the bottom edge
            t = (ys - y1) / h  # 0 at the apex row, 1 at the base
            inside = (t >= 0) & (t <= 1) & ((xs - x1 - w / 2).abs() <= t * w / 2)
        image[:, inside] = colour.expand(3, int(inside.sum()))
        boxes.append(box)
        labels.append(label)
    return (
        image,
        torch.tensor(boxes).reshape(-1, 4),
        torch.tensor(labels, dtype=torch.int64),
    )
# --8<-- [end:make_image]


# --8<-- [start:make_batch]
def make_batch(
    generator: torch.Generator, batch_size: int, size: int = 64
) -> tuple[Tensor, list[Tensor], list[Tensor]]:
    """``batch_size`` fresh images stacked (Tensor[B, 3, size, size]) with lists of boxes and labels."""
    images, boxes, labels = zip(
        *(make_image(generator, size) for _ in range(batch_size))
    )
    return torch.stack(images), list(boxes), list(labels)


def make_dataset(
    num_images: int, seed: int, size: int = 64
) -> tuple[Tensor, list[Tensor], list[Tensor]]:
    """A fixed set of ``num_images`` images from ``seed`` (use a seed not used for training to hold out)."""
    return make_batch(torch.Generator().manual_seed(seed), num_images, size)
# --8<-- [end:make_batch]


# --8<-- [start:make_scene]
SCENE_CLASSES = ("background", "rectangle", "ellipse", "triangle", "cross", "ring")
SCENE_SIZES = ((96, 128), (128, 96))  # (height, width): landscape, portrait


def _shape_mask(label: int, xs: Tensor, ys: Tensor, box: list[float]) -> Tensor:
    """Pixels (bool[H, W]) of a shape of class ``label`` filling ``box``."""
    x1, y1, x2, y2 = box
    w, h, cx, cy = x2 - x1, y2 - y1, (x1 + x2) / 2, (y1 + y2) / 2
    inside = (xs >= x1) & (xs < x2) & (ys >= y1) & (ys < y2)
    ellipse = ((xs - cx) / (w / 2)) ** 2 + ((ys - cy) / (h / 2)) ** 2
    if label == 1:  # rectangle
        return inside
    if label == 2:  # ellipse
        return ellipse <= 1
    if label == 3:  # triangle, apex at the top
        t = (ys - y1) / h
        return (t >= 0) & (t <= 1) & ((xs - cx).abs() <= t * w / 2)
    if label == 4:  # cross: two bars a third of the box wide
        return inside & (((xs - cx).abs() <= w / 6) | ((ys - cy).abs() <= h / 6))
    return (ellipse <= 1) & (ellipse >= 0.45)  # ring


def make_scene(
    generator: torch.Generator,
    size: tuple[int, int] = (96, 128),
    num_objects: tuple[int, int] = (1, 4),
    object_size: tuple[float, float] = (13.0, 128.0),
    min_visible: float = 0.5,
    clutter: int = 6,
) -> tuple[Tensor, Tensor, Tensor]:
    """One cluttered image (Tensor[3, H, W] in [0, 1]), its boxes (Tensor[K, 4]) and
    labels (Tensor[K]).

    Objects of the 5 ``SCENE_CLASSES`` have a size sqrt(w * h) log-uniform in
    ``object_size``, an aspect ratio in [1/2, 2] and a colour at least 0.25 brighter or
    darker than the background under them; later objects occlude earlier ones, but every
    object keeps at least ``min_visible`` of its pixels. ``clutter`` unlabelled strokes
    and blobs are drawn, half under and half over the objects. Boxes enclose the whole
    object, hidden parts included.
    """
    height, width = size
    ys, xs = torch.meshgrid(
        torch.arange(height) + 0.5, torch.arange(width) + 0.5, indexing="ij"
    )
    # background: a random colour, a linear gradient and pixel noise
    slope = (torch.rand(3, 2, generator=generator) - 0.5) * 0.6
    image = (
        torch.rand(3, 1, 1, generator=generator) * 0.6
        + slope[:, :1, None] * ys / height
        + slope[:, 1:, None] * xs / width
        + 0.1 * torch.randn(3, height, width, generator=generator)
    )

    def stroke() -> None:
        if float(torch.rand((), generator=generator)) < 0.5:  # a line 1-3 pixels thick
            (ax, ay), (bx, by) = (
                torch.rand(2, 2, generator=generator) * torch.tensor([width, height])
            ).tolist()
            length = max(((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5, 1e-6)
            dist = ((xs - ax) * (by - ay) - (ys - ay) * (bx - ax)).abs() / length
            along = ((xs - ax) * (bx - ax) + (ys - ay) * (by - ay)) / length
            mask = (
                (dist <= _uniform(generator, 0.5, 1.5))
                & (along >= 0)
                & (along <= length)
            )
        else:  # a soft blob
            cx, cy, r = (
                _uniform(generator, 0, width),
                _uniform(generator, 0, height),
                _uniform(generator, 2, 8),
            )
            mask = (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
        image[:, mask] = torch.rand(3, 1, generator=generator)

    for _ in range(clutter // 2):
        stroke()
    owner = torch.full((height, width), -1)  # which object each pixel shows
    boxes: list[list[float]] = []
    labels: list[int] = []
    areas: list[int] = []  # pixels of each object, hidden ones included
    count = int(
        torch.randint(num_objects[0], num_objects[1] + 1, (), generator=generator)
    )
    low, high = torch.log(torch.tensor(object_size)).tolist()
    for _ in range(20 * count):  # rejection sampling
        if len(boxes) == count:
            break
        side = float(torch.exp(torch.tensor(_uniform(generator, low, high))))
        ratio = 2.0 ** _uniform(generator, -1.0, 1.0)  # h / w
        w = min(round(side / ratio**0.5), width - 2)
        h = min(round(side * ratio**0.5), height - 2)
        x1, y1 = (
            round(_uniform(generator, 0, width - w)),
            round(_uniform(generator, 0, height - h)),
        )
        box = [float(x1), float(y1), float(x1 + w), float(y1 + h)]
        label = int(torch.randint(1, len(SCENE_CLASSES), (), generator=generator))
        # a colour at least 0.25 brighter or darker than the background under the object
        under = image[:, y1 : y1 + h, x1 : x1 + w].mean(dim=(1, 2))[:, None]
        step = _uniform(generator, 0.25, 0.6) * (1 if float(under.mean()) < 0.5 else -1)
        colour = (under + step + 0.15 * torch.randn(3, 1, generator=generator)).clamp(
            0, 1
        )
        # the shape, computed inside its box only
        mask = torch.zeros(height, width, dtype=torch.bool)
        mask[y1 : y1 + h, x1 : x1 + w] = _shape_mask(
            label, xs[y1 : y1 + h, x1 : x1 + w], ys[y1 : y1 + h, x1 : x1 + w], box
        )
        # occlusion: drawn on top; every earlier object keeps min_visible of its pixels
        covered = torch.where(mask, len(boxes), owner)
        visible = torch.bincount(covered[covered >= 0], minlength=len(boxes) + 1)[
            : len(boxes)
        ]
        if int(mask.sum()) == 0 or bool(
            (visible < min_visible * torch.tensor(areas)).any()
        ):
            continue
        owner = covered
        image[:, mask] = colour
        boxes.append(box)
        labels.append(label)
        areas.append(int(mask.sum()))
    for _ in range(clutter - clutter // 2):
        stroke()
    return (
        image.clamp(0, 1),
        torch.tensor(boxes).reshape(-1, 4),
        torch.tensor(labels, dtype=torch.int64),
    )
# --8<-- [end:make_scene]


# --8<-- [start:make_scene_dataset]
def make_scene_dataset(
    num_images: int,
    seed: int,
    sizes: tuple[tuple[int, int], ...] = SCENE_SIZES,
    landscape_fraction: float = 2 / 3,
) -> tuple[list[Tensor], list[Tensor], list[Tensor]]:
    """``num_images`` scenes from ``seed``: lists of images (each Tensor[3, H, W], H x W
    one of ``sizes``: the first with probability ``landscape_fraction``), boxes and
    labels."""
    _check_scene_dataset(num_images, landscape_fraction)
    generator = torch.Generator().manual_seed(seed)
    scenes = []
    for _ in range(num_images):
        first = float(torch.rand((), generator=generator)) < landscape_fraction
        scenes.append(make_scene(generator, sizes[0] if first else sizes[-1]))
    images, boxes, labels = (list(x) for x in zip(*scenes)) if scenes else ([], [], [])
    return images, boxes, labels
# --8<-- [end:make_scene_dataset]
