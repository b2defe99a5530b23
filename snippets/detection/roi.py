"""RoI pooling (Fast R-CNN, Caffe rounding) and RoI Align (Mask R-CNN, bilinear sampling).

Twins: ``torchvision.ops.roi_pool`` and ``torchvision.ops.roi_align`` (same arguments,
``boxes`` as Tensor[K, 5] = (batch_index, x1, y1, x2, y2) in image coordinates).
"""

# --8<-- [start:imports]
from __future__ import annotations

import math

import torch
from torch import Tensor, nn
# --8<-- [end:imports]

from snippets._checks import check_rank, check_tensor
from snippets.detection.boxes import check_boxes

__all__ = ["roi_pool", "roi_align", "RoIPool", "RoIAlign"]


def _check_roi_args(
    input: Tensor, boxes: Tensor, output_size, spatial_scale: float
) -> tuple[int, int]:
    check_tensor("input", input)
    check_rank("input", input, (4,), "(N, C, H, W)")
    check_boxes("boxes", boxes, columns=5)
    if boxes.dtype != input.dtype:
        raise TypeError(
            f"boxes must have the dtype of input ({input.dtype}), got {boxes.dtype}"
        )
    if boxes.shape[0] and (
        boxes[:, 0].min() < 0
        or boxes[:, 0].max() >= input.shape[0]
        or not bool((boxes[:, 0] == boxes[:, 0].round()).all())
    ):
        raise ValueError(
            f"boxes[:, 0] must hold integer batch indices in [0, {input.shape[0]}), "
            f"got {boxes[:, 0].unique().tolist()}"
        )
    size = (
        (output_size, output_size)
        if isinstance(output_size, int)
        else tuple(output_size)
    )
    if len(size) != 2 or min(size) < 1:
        raise ValueError(
            f"output_size must be a positive int or (height, width), got {output_size}"
        )
    if not spatial_scale > 0:
        raise ValueError(f"spatial_scale must be > 0, got {spatial_scale}")
    return size


def _round_half_away(x: Tensor) -> Tensor:
    """C's round(): halves go away from zero (torch.round goes to the even neighbour)."""
    x = x.double()
    return torch.sign(x) * torch.floor(x.abs() + 0.5)


# --8<-- [start:roi_pool]
def roi_pool(
    input: Tensor,
    boxes: Tensor,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
) -> Tensor:
    """Max-pool each box of ``boxes`` (Tensor[K, 5]) on ``input`` (Tensor[N, C, H, W])
    into ``output_size`` bins.

    Caffe's quantization, twice: the box corners are rounded to feature cells
    (round(x * spatial_scale), both ends inclusive), then each bin spans
    [floor(i * bin), ceil((i + 1) * bin)) cells. Empty bins give 0.
    Returns Tensor[K, C, PH, PW].
    """
    ph_n, pw_n = _check_roi_args(input, boxes, output_size, spatial_scale)
    n, c, height, width = input.shape
    out = input.new_zeros((boxes.shape[0], c, ph_n, pw_n))

    def bin_masks(lo: Tensor, hi: Tensor, bins: int, length: int) -> Tensor:
        start = _round_half_away(lo * spatial_scale).to(input.dtype)
        extent = (
            _round_half_away(hi * spatial_scale).to(input.dtype) - start + 1
        ).clamp(min=1)
        bin_size = extent / bins  # (K,)
        i = torch.arange(bins, dtype=input.dtype, device=input.device)
        first = (torch.floor(i[None] * bin_size[:, None]) + start[:, None]).clamp(
            0, length
        )
        last = (torch.ceil((i[None] + 1) * bin_size[:, None]) + start[:, None]).clamp(
            0, length
        )
        cells = torch.arange(length, dtype=input.dtype, device=input.device)
        return (cells[None, None] >= first[..., None]) & (
            cells[None, None] < last[..., None]
        )  # (K, bins, L)

    mask_y = bin_masks(boxes[:, 2], boxes[:, 4], ph_n, height)
    mask_x = bin_masks(boxes[:, 1], boxes[:, 3], pw_n, width)
    batch = boxes[:, 0].long()
    chunk = max(1, int(2e7 // max(1, c * height * width * max(ph_n, pw_n))))
    for start in range(0, boxes.shape[0], chunk):
        rows = slice(start, start + chunk)
        x = input[batch[rows]]  # (k, C, H, W)
        # max over the columns of each bin: (k, C, H, PW),
        # then over its rows: (k, C, PH, PW)
        cols = (
            x[:, :, :, None, :]
            .masked_fill(~mask_x[rows, None, None], -math.inf)
            .amax(dim=-1)
        )
        cells = (
            cols[:, :, None]
            .masked_fill(~mask_y[rows, None, :, :, None], -math.inf)
            .amax(dim=3)
        )
        # (k, PH, PW)
        empty = ~(mask_y[rows].any(-1)[:, :, None] & mask_x[rows].any(-1)[:, None, :])
        out[rows] = cells.masked_fill(empty[:, None], 0.0)
    return out
# --8<-- [end:roi_pool]


def _sampling_matrix(
    lo: Tensor,
    hi: Tensor,
    bins: int,
    length: int,
    spatial_scale: float,
    sampling_ratio: int,
    aligned: bool,
) -> tuple[Tensor, Tensor]:
    """Weights A (Tensor[K, bins, length]) such that A @ row sums the bilinear samples of each bin,
    and the number of samples per bin along this axis (Tensor[K])."""
    offset = 0.5 if aligned else 0.0
    start = lo * spatial_scale - offset
    extent = hi * spatial_scale - offset - start
    if not aligned:  # legacy behaviour: force boxes to be at least one cell
        extent = extent.clamp(min=1.0)
    bin_size = extent / bins
    if sampling_ratio > 0:
        grid = torch.full_like(extent, sampling_ratio, dtype=torch.long)
    else:  # adaptive: about one sample per feature cell
        grid = torch.ceil(extent / bins).long()
    most = max(int(grid.max()) if grid.numel() else 1, 1)
    i = torch.arange(bins, dtype=lo.dtype, device=lo.device)
    s = torch.arange(most, dtype=lo.dtype, device=lo.device)
    # sample positions: start + i * bin + (s + 0.5) * bin / grid -> (K, bins, most)
    pos = (
        start[:, None, None]
        + i[None, :, None] * bin_size[:, None, None]
        + (s[None, None, :] + 0.5)
        * (bin_size / grid.clamp(min=1).to(lo.dtype))[:, None, None]
    )
    used = (
        (s[None, None, :] < grid[:, None, None]) & (pos >= -1.0) & (pos <= length)
    )  # outside -> 0
    pos = pos.clamp(min=0)
    low = pos.floor().long()
    at_end = low >= length - 1
    low = torch.where(at_end, torch.full_like(low, length - 1), low)
    high = torch.where(at_end, low, low + 1)
    pos = torch.where(at_end, low.to(pos.dtype), pos)
    frac = pos - low  # weight of `high`; 1 - frac is the weight of `low`
    weights = torch.zeros((lo.shape[0], bins, length), dtype=lo.dtype, device=lo.device)
    weights.scatter_add_(
        2, low.flatten(1, 2).reshape(lo.shape[0], bins, most), ((1 - frac) * used)
    )
    weights.scatter_add_(2, high.reshape(lo.shape[0], bins, most), frac * used)
    return weights, grid


# --8<-- [start:roi_align]
def roi_align(
    input: Tensor,
    boxes: Tensor,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
) -> Tensor:
    """Average of bilinear samples in each bin of each box (Tensor[K, 5]) on ``input``
    (Tensor[N, C, H, W]).

    No rounding anywhere: a box is split into output_size bins of real-valued size,
    each bin sampled on a grid of ``sampling_ratio`` x ``sampling_ratio`` points
    (or ceil(bin size) when -1) and the samples averaged. ``aligned=True`` shifts the
    box by -0.5 cell so that a sample at pixel centre x reads feature cell x exactly.
    Returns Tensor[K, C, PH, PW].
    """
    ph_n, pw_n = _check_roi_args(input, boxes, output_size, spatial_scale)
    n, c, height, width = input.shape
    with torch.no_grad():  # weights depend on the boxes only; gradients flow to `input`
        a_y, grid_y = _sampling_matrix(
            boxes[:, 2],
            boxes[:, 4],
            ph_n,
            height,
            spatial_scale,
            sampling_ratio,
            aligned,
        )
        a_x, grid_x = _sampling_matrix(
            boxes[:, 1],
            boxes[:, 3],
            pw_n,
            width,
            spatial_scale,
            sampling_ratio,
            aligned,
        )
        count = (grid_y * grid_x).clamp(min=1).to(input.dtype)
    batch = boxes[:, 0].long()
    pieces, order = [], []
    for image in batch.unique().tolist():
        feature = input[image].transpose(0, 1).reshape(height, c * width)  # (H, C*W)
        for rows in (
            torch.nonzero(batch == image).flatten().split(128)
        ):  # bound the intermediate
            k = rows.numel()
            # bilinear sampling is separable: out = A_y @ feature @ A_x^T,
            # then / samples per bin
            sampled = (a_y[rows].reshape(k * ph_n, height) @ feature).reshape(
                k, ph_n * c, width
            )
            cells = (
                (sampled @ a_x[rows].transpose(1, 2))
                .reshape(k, ph_n, c, pw_n)
                .transpose(1, 2)
            )
            pieces.append(cells / count[rows, None, None, None])
            order.append(rows)
    if not pieces:
        return input.new_zeros((0, c, ph_n, pw_n))
    # back to the order of `boxes`
    return torch.cat(pieces)[torch.argsort(torch.cat(order))]
# --8<-- [end:roi_align]


# --8<-- [start:modules]
class RoIPool(nn.Module):
    """``torchvision.ops.RoIPool`` look-alike: keeps settings, calls ``roi_pool``."""

    def __init__(
        self, output_size: int | tuple[int, int], spatial_scale: float
    ) -> None:
        super().__init__()
        self.output_size, self.spatial_scale = output_size, spatial_scale

    def forward(self, input: Tensor, rois: Tensor) -> Tensor:
        return roi_pool(input, rois, self.output_size, self.spatial_scale)


class RoIAlign(nn.Module):
    """``torchvision.ops.RoIAlign`` look-alike: keeps settings, calls ``roi_align``."""

    def __init__(
        self,
        output_size: int | tuple[int, int],
        spatial_scale: float,
        sampling_ratio: int,
        aligned: bool = False,
    ) -> None:
        super().__init__()
        self.output_size, self.spatial_scale = output_size, spatial_scale
        self.sampling_ratio, self.aligned = sampling_ratio, aligned

    def forward(self, input: Tensor, rois: Tensor) -> Tensor:
        return roi_align(
            input,
            rois,
            self.output_size,
            self.spatial_scale,
            self.sampling_ratio,
            self.aligned,
        )
# --8<-- [end:modules]
