"""Code of docs/detection/roi-pooling.md, section by section (run top to bottom)."""

# --8<-- [start:twins]
import torch
import torchvision.ops

from snippets.detection.roi import roi_align, roi_pool

torch.manual_seed(0)
features = torch.randn(2, 8, 38, 50)  # two images' conv5 maps, stride 16
xy = torch.rand(64, 2) * 700 - 50  # some boxes start outside the image
boxes = torch.cat(
    [torch.randint(0, 2, (64, 1)).float(), xy, xy + torch.rand(64, 2) * 300 + 1], dim=1
)

diff = (
    (
        roi_pool(features, boxes, 7, 1 / 16)
        - torchvision.ops.roi_pool(features, boxes, 7, 1 / 16)
    )
    .abs()
    .max()
)
print(f"roi_pool                      identical to torchvision: {diff.item() == 0}")
for aligned in (False, True):
    for ratio in (-1, 2):
        ours = roi_align(
            features, boxes, 7, 1 / 16, sampling_ratio=ratio, aligned=aligned
        )
        ref = torchvision.ops.roi_align(
            features, boxes, 7, 1 / 16, sampling_ratio=ratio, aligned=aligned
        )
        close = torch.allclose(ours, ref, rtol=1e-5, atol=1e-5)
        print(
            f"roi_align aligned={aligned!s:<5} ratio={ratio:>2}  within 1e-5 of "
            f"torchvision: {close}"
        )
# --8<-- [end:twins]

# --8<-- [start:quantization]
import torch

from snippets.detection.roi import roi_align, roi_pool

ramp = torch.arange(16.0).repeat(16, 1)[None, None]  # feature value = column index
print("shift   roi_pool  roi_align(aligned=True)")
for shift in (0.0, 0.25, 0.49, 0.51, 0.75, 1.0):
    box = torch.tensor([[0.0, 2.0 + shift, 2.0, 6.0 + shift, 6.0]])
    print(
        f"{shift:5.2f}   {roi_pool(ramp, box, 1).item():8.2f}  "
        f"{roi_align(ramp, box, 1, sampling_ratio=4, aligned=True).item():8.2f}"
    )
# --8<-- [end:quantization]

# --8<-- [start:aligned]
import torch

from snippets.detection.roi import roi_align

# a 1-cell box around cell (3, 3) of a map whose value is its column index
ramp = torch.arange(8.0).repeat(8, 1)[None, None]
box = torch.tensor([[0.0, 3.0, 3.0, 4.0, 4.0]])  # the pixel square [3, 4) x [3, 4)
print(
    "aligned=False:",
    f"{roi_align(ramp, box, 1, sampling_ratio=1, aligned=False).item():.2f}",
    "(samples at x = 3.5, half a cell right of cell 3's centre)",
)
print(
    "aligned=True :",
    f"{roi_align(ramp, box, 1, sampling_ratio=1, aligned=True).item():.2f}",
    "(shifted by -0.5: reads cell 3 exactly)",
)
# --8<-- [end:aligned]

# --8<-- [start:gradient]
import torch
import torchvision.ops

from snippets.detection.roi import roi_align

torch.manual_seed(0)
x = torch.randn(1, 2, 6, 7, dtype=torch.float64, requires_grad=True)
box = torch.tensor([[0, 0.4, 1.1, 5.3, 4.8]], dtype=torch.float64)
(ours,) = torch.autograd.grad(roi_align(x, box, 2, sampling_ratio=2).sum(), x)
(ref,) = torch.autograd.grad(
    torchvision.ops.roi_align(x, box, 2, sampling_ratio=2).sum(), x
)
print("gradient equal to torchvision's:", torch.allclose(ours, ref))
print(
    "gradcheck:",
    torch.autograd.gradcheck(lambda t: roi_align(t, box, 2, sampling_ratio=2), (x,)),
)
# --8<-- [end:gradient]
