"""A synthetic detection dataset drawn in code: rectangles, ellipses and triangles on noise.

Every image comes from a seeded ``torch.Generator``, so the same seed gives the same
images on every machine. Boxes are continuous (x1, y1, x2, y2): a shape that covers
pixels 10..19 has x1 = 10, x2 = 20.
"""

# --8<-- [start:imports]
from __future__ import annotations

import torch
from torch import Tensor
# --8<-- [end:imports]

__all__ = ["CLASSES", "make_image", "make_batch", "make_dataset"]

# --8<-- [start:make_image]
CLASSES = ("background", "rectangle", "ellipse", "triangle")  # label 0 is background


def _uniform(gen: torch.Generator, low: float, high: float) -> float:
    return low + (high - low) * float(torch.rand((), generator=gen))


def make_image(generator: torch.Generator, size: int = 64, num_objects: tuple[int, int] = (1, 3),
               object_size: tuple[float, float] = (12, 28), max_overlap: float = 0.1
               ) -> tuple[Tensor, Tensor, Tensor]:
    """One image (Tensor[3, size, size] in [0, 1]), its boxes (Tensor[K, 4]) and labels (Tensor[K], int64).

    Each object is a filled rectangle, ellipse or triangle of a random colour and a
    width and height in ``object_size``; objects overlap by IoU <= ``max_overlap``.
    """
    from snippets.detection.boxes import box_iou

    background = torch.rand(3, 1, 1, generator=generator) * 0.5
    image = (background + 0.08 * torch.randn(3, size, size, generator=generator)).clamp(0, 1)
    ys, xs = torch.meshgrid(torch.arange(size) + 0.5, torch.arange(size) + 0.5, indexing="ij")  # pixel centres
    count = int(torch.randint(num_objects[0], num_objects[1] + 1, (), generator=generator))
    boxes: list[list[float]] = []
    labels: list[int] = []
    for _ in range(20 * count):  # rejection sampling of the positions
        if len(boxes) == count:
            break
        w, h = round(_uniform(generator, *object_size)), round(_uniform(generator, *object_size))
        x1, y1 = round(_uniform(generator, 0, size - w)), round(_uniform(generator, 0, size - h))
        box = [float(x1), float(y1), float(x1 + w), float(y1 + h)]
        label = int(torch.randint(1, len(CLASSES), (), generator=generator))
        colour = 0.5 + 0.5 * torch.rand(3, 1, generator=generator)  # brighter than the background
        if boxes and box_iou(torch.tensor([box]), torch.tensor(boxes)).max() > max_overlap:
            continue
        if label == 1:  # rectangle
            inside = (xs >= x1) & (xs < x1 + w) & (ys >= y1) & (ys < y1 + h)
        elif label == 2:  # ellipse inscribed in the box
            inside = ((xs - x1 - w / 2) / (w / 2)) ** 2 + ((ys - y1 - h / 2) / (h / 2)) ** 2 <= 1
        else:  # triangle: apex at the top centre, base along the bottom edge
            t = (ys - y1) / h  # 0 at the apex row, 1 at the base
            inside = (t >= 0) & (t <= 1) & ((xs - x1 - w / 2).abs() <= t * w / 2)
        image[:, inside] = colour.expand(3, int(inside.sum()))
        boxes.append(box)
        labels.append(label)
    return image, torch.tensor(boxes).reshape(-1, 4), torch.tensor(labels, dtype=torch.int64)
# --8<-- [end:make_image]


# --8<-- [start:make_batch]
def make_batch(generator: torch.Generator, batch_size: int, size: int = 64
               ) -> tuple[Tensor, list[Tensor], list[Tensor]]:
    """``batch_size`` fresh images stacked (Tensor[B, 3, size, size]) with lists of boxes and labels."""
    images, boxes, labels = zip(*(make_image(generator, size) for _ in range(batch_size)))
    return torch.stack(images), list(boxes), list(labels)


def make_dataset(num_images: int, seed: int, size: int = 64) -> tuple[Tensor, list[Tensor], list[Tensor]]:
    """A fixed set of ``num_images`` images from ``seed`` (use a seed not used for training to hold out)."""
    return make_batch(torch.Generator().manual_seed(seed), num_images, size)
# --8<-- [end:make_batch]
