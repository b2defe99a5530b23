"""Code of docs/detection/train-a-detector.md, section by section (run top to bottom)."""

# --8<-- [start:data]
import torch

from snippets.detection.data import SCENE_CLASSES, make_scene

image, boxes, labels = make_scene(torch.Generator().manual_seed(0), size=(96, 128))
print(
    "image:",
    tuple(image.shape),
    f"values in [{image.min().item():.2f}, {image.max().item():.2f}]",
)
for box, label in zip(boxes.int().tolist(), labels.tolist()):
    w, h = box[2] - box[0], box[3] - box[1]
    print(f"  {SCENE_CLASSES[label]:<9} {box}  {w}x{h} = {w * h} pixels")
# --8<-- [end:data]

# --8<-- [start:dataset_stats]
import torch

from snippets.detection.data import SCENE_CLASSES, make_scene_dataset

# the first 60 training scenes
images, boxes, labels = make_scene_dataset(60, seed=1000)
all_boxes, all_labels = torch.cat(boxes), torch.cat(labels)
area = (all_boxes[:, 2] - all_boxes[:, 0]) * (all_boxes[:, 3] - all_boxes[:, 1])
landscape = sum(im.shape[2] > im.shape[1] for im in images)
print(
    f"{len(images)} scenes: {landscape} landscape 96x128, "
    f"{len(images) - landscape} portrait 128x96"
)
side = area.sqrt()
print(
    f"{len(all_boxes)} objects, sqrt(area) from {side.min():.0f} to {side.max():.0f} "
    f"pixels ({side.max() / side.min():.1f}x)"
)
print(
    "COCO area ranges: small",
    int((area < 32**2).sum()),
    "| medium",
    int(((area >= 32**2) & (area <= 96**2)).sum()),
    "| large",
    int((area > 96**2).sum()),
)
print(
    "per class:", {SCENE_CLASSES[c]: int((all_labels == c).sum()) for c in range(1, 6)}
)
# --8<-- [end:dataset_stats]

# --8<-- [start:config]
import dataclasses

from snippets.detection.model import DetectorConfig
from snippets.detection.train import TrainConfig

print(TrainConfig())
model_cfg = DetectorConfig()
print(
    "pooling_mode:",
    model_cfg.pooling_mode,
    "| pooled_size:",
    model_cfg.pooled_size,
    "| stride:",
    model_cfg.stride,
    "| anchor sizes:",
    model_cfg.anchor_sizes,
)
print("fields:", len(dataclasses.fields(TrainConfig)))
# --8<-- [end:config]

# --8<-- [start:sampler]
import torch

from snippets.detection.train import aspect_ratio_batches, padding_waste

# 1,200 images, 2 in 3 landscape (96x128), the rest portrait (128x96)
gen = torch.Generator().manual_seed(0)
shapes = [
    (96, 128) if torch.rand((), generator=gen) < 2 / 3 else (128, 96)
    for _ in range(1200)
]
ratios = [w / h for h, w in shapes]
grouped = aspect_ratio_batches(ratios, 8, torch.Generator().manual_seed(1))
order = torch.randperm(1200, generator=torch.Generator().manual_seed(1))
shuffled = order.view(-1, 8).tolist()
mixed = sum(len({ratios[i] > 1 for i in b}) > 1 for b in grouped)
print(
    f"random batches of 8: {padding_waste(shuffled, shapes):.1%} "
    "of the pixels are padding"
)
print(
    f"grouped by ratio   : {padding_waste(grouped, shapes):.1%} "
    f"({mixed} of {len(grouped)} batches mix orientations)"
)
print(
    "first grouped batch:",
    grouped[0],
    "ratios",
    sorted({round(ratios[i], 3) for i in grouped[0]}),
)
# --8<-- [end:sampler]

# --8<-- [start:param_groups]
import torch

from snippets.detection.model import TinyFasterRCNN
from snippets.detection.train import sgd_param_groups

model = TinyFasterRCNN()
groups = sgd_param_groups(
    model, lr=0.01, weight_decay=0.0005, double_bias=True, bias_decay=False
)
kinds = {}
for (name, _), group in zip(model.named_parameters(), groups):
    kind = "bias" if "bias" in name else "other"
    kinds.setdefault((kind, group["lr"], group["weight_decay"]), []).append(name)
for (kind, lr, wd), names in kinds.items():
    print(
        f"{kind:<5} lr {lr:.3f}  weight_decay {wd:.4f}  {len(names):>2} tensors,",
        f"e.g. {names[0]}",
    )
optimizer = torch.optim.SGD(groups, momentum=0.9)
print(
    len(optimizer.param_groups),
    "parameter groups, momentum",
    optimizer.defaults["momentum"],
)
# --8<-- [end:param_groups]


# --8<-- [start:lr_schedule]
def lr_by_epoch(
    lr: float, epochs: int, lr_decay_step: int, gamma: float = 0.1
) -> list[float]:
    """The lr each epoch trains with under trainval_net.py's test."""
    out = []
    for epoch in range(1, epochs + 1):
        if epoch % (lr_decay_step + 1) == 0:
            lr *= gamma
        out.append(lr)
    return out


jwyang = lr_by_epoch(0.001, 20, 5)
print(
    "jwyang defaults (--lr 0.001 --lr_decay_step 5, 20 epochs): decays before epochs",
    [e for e in range(2, 21) if jwyang[e - 1] < jwyang[e - 2]],
)
from snippets.detection.train import TrainConfig  # noqa: E402

cfg = TrainConfig()
ours = lr_by_epoch(cfg.lr, cfg.epochs, cfg.lr_decay_step, cfg.lr_decay_gamma)
print(
    f"ours (--lr {cfg.lr} --lr_decay_step {cfg.lr_decay_step}, {cfg.epochs} epochs):",
    " ".join(f"{v:.0e}" for v in ours),
)
# --8<-- [end:lr_schedule]

# --8<-- [start:resume]
import tempfile
from pathlib import Path

import torch

from snippets.detection.data import make_scene_dataset
from snippets.detection.model import DetectorConfig, TinyFasterRCNN
from snippets.detection.train import (
    TrainConfig,
    load_checkpoint,
    sgd_param_groups,
    train_epochs,
)

torch.set_num_threads(1)
# a smoke run: 6 small images, a tiny network
data = make_scene_dataset(6, seed=3, sizes=((48, 64), (64, 48)))
small = dict(
    channels=(8, 8, 16, 16),
    rpn_batch_size=32,
    pre_nms_train=100,
    post_nms_train=16,
    roi_batch_size=8,
    pooled_size=3,
)
cfg = TrainConfig(epochs=3, batch_size=2, lr=0.01, lr_decay_step=1, train_images=6)


def fresh(seed: int):
    torch.manual_seed(seed)
    model = TinyFasterRCNN(DetectorConfig(**small))
    groups = sgd_param_groups(model, cfg.lr, cfg.weight_decay)
    return model, torch.optim.SGD(groups, momentum=0.9)


straight = train_epochs(*fresh(0), *data, cfg, progress=False)
with tempfile.TemporaryDirectory() as tmp:
    model, optimizer = fresh(0)
    one_epoch = TrainConfig(**{**vars(cfg), "epochs": 1})
    train_epochs(model, optimizer, *data, one_epoch, save_dir=Path(tmp), progress=False)
    model, optimizer = fresh(123)  # a new process: other weights, other RNG state
    start, history = load_checkpoint(
        Path(tmp) / "faster_rcnn_1_1.pth", model, optimizer
    )
    resumed = train_epochs(model, optimizer, *data, cfg, start, history, progress=False)
print(
    "resumed at epoch",
    start,
    "| steps:",
    len(straight),
    "| identical losses:",
    resumed == straight,
)
print("last step:", {k: straight[-1][k] for k in ("epoch", "iter", "lr", "rpn_cls")})
# --8<-- [end:resume]

# --8<-- [start:log]
import json
from pathlib import Path

run = json.loads(Path("results/detector/run.json").read_text())
print("\n".join(run["log"][:6]))
print("...")
print("\n".join(run["log"][-3:]))
# --8<-- [end:log]

# --8<-- [start:coco]
import contextlib
import io

import torch
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from snippets.detection.metrics import coco_map

# 20 images, 3 classes: gt of all sizes; detections = jittered gt + 2 false alarms
gen = torch.Generator().manual_seed(0)
gts, dets = [], []
for _ in range(20):
    xy = torch.rand(4, 2, generator=gen) * 100
    wh = 8 + torch.rand(4, 2, generator=gen) * 120
    gt_boxes = torch.cat([xy, xy + wh], 1).round()
    gt_labels = torch.randint(1, 4, (4,), generator=gen)
    noise = torch.randn(8, 4, generator=gen) * 4
    alarms = torch.rand(2, 4, generator=gen).sort(1).values * 150
    d = torch.cat([gt_boxes.repeat(2, 1) + noise, alarms])
    d = torch.cat([d[:, :2], torch.maximum(d[:, 2:], d[:, :2] + 1)], 1)
    labels = torch.cat([gt_labels.repeat(2), torch.tensor([1, 2])])
    dets.append((d, torch.rand(10, generator=gen), labels))
    gts.append((gt_boxes, gt_labels))
ours = coco_map(dets, gts, num_classes=3)


# the same data through pycocotools
def xywh(b):
    return [b[0], b[1], b[2] - b[0], b[3] - b[1]]


anns, res = [], []
for i, ((gb, gl), (db, ds, dl)) in enumerate(zip(gts, dets)):
    for b, label in zip(gb.double().tolist(), gl.tolist()):
        anns.append(
            {
                "id": len(anns) + 1,
                "image_id": i + 1,
                "category_id": label,
                "bbox": xywh(b),
                "area": xywh(b)[2] * xywh(b)[3],
                "iscrowd": 0,
            }
        )
    for b, score, label in zip(db.double().tolist(), ds.double().tolist(), dl.tolist()):
        res.append(
            {"image_id": i + 1, "category_id": label, "bbox": xywh(b), "score": score}
        )
with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints as it goes
    coco_gt = COCO()
    coco_gt.dataset = {
        "images": [{"id": i + 1} for i in range(20)],
        "annotations": anns,
        "categories": [{"id": c} for c in (1, 2, 3)],
    }
    coco_gt.createIndex()
    ev = COCOeval(coco_gt, coco_gt.loadRes(res), "bbox")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
for key, ref in zip(ours, ev.stats[:6]):
    print(
        f"{key:<10} ours {ours[key]:.6f}  pycocotools {ref:.6f}",
        f"|diff| {abs(ours[key] - ref):.1e}",
    )
# --8<-- [end:coco]

# --8<-- [start:record]
import json
from pathlib import Path

run = json.loads(Path("results/detector/run.json").read_text())
machine, cfg = run["machine"], run["train_config"]
print("command      :", run["command"])
print("date         :", machine["date"])
print(
    "machine      :",
    f"{machine['cpu']}, {machine['cores']} cores,",
    f"torch threads {machine['torch_threads']}",
)
print(
    "load average :",
    f"{machine['load_average_1min']} at the start,",
    f"{run['load_average_1min_after']} at the end (1-minute; {machine['cores']} cores)",
)
print(
    "training     :",
    f"{cfg['epochs']} epochs x {cfg['train_images']} scenes,",
    f"batch {cfg['batch_size']}, {len(run['losses'])} steps;",
    f"held-out scenes {cfg['test_images']}",
)
print("wall time    :", ", ".join(f"{k} {v:.1f} s" for k, v in run["seconds"].items()))
names = {
    "map": "AP@[.5:.95]",
    "map_50": "AP@0.5",
    "map_75": "AP@0.75",
    "map_small": "AP small",
    "map_medium": "AP medium",
    "map_large": "AP large",
}
print(f"{'':<12} {'ours':>8} {'pycocotools':>12}")
for key, name in names.items():
    print(f"{name:<12} {run['coco'][key]:>8.4f} {run['pycocotools'][key]:>12.4f}")
print(f"VOC mAP@0.5 (all points, average_precision): {run['voc_map50']:.4f}")
# --8<-- [end:record]

# --8<-- [start:ablations]
import json
from pathlib import Path


def load(tag: str) -> dict:
    return json.loads(Path(f"results/detector/{tag}.json").read_text())


runs = {
    "baseline (RoI Align)": load("run"),
    "RoI pooling": load("ablation_roipool"),
    "no DOUBLE_BIAS": load("ablation_no_double_bias"),
    "+1 decoder": load("ablation_plus1"),
}
keys = ("map", "map_50", "map_75", "map_small", "map_medium", "map_large")
print(
    f"{'':<21}"
    + "".join(f"{k.replace('map', 'AP'):>9}" for k in keys)
    + f"{'mean IoU':>9}"
)
for name, run in runs.items():
    print(
        f"{name:<21}"
        + "".join(f"{run['coco'][k]:>9.4f}" for k in keys)
        + f"{run['mean_best_iou']['all']:>9.4f}"
    )
base, pool = runs["baseline (RoI Align)"]["coco"], runs["RoI pooling"]["coco"]
print(
    f"RoI Align - RoI pooling: AP@0.75 {base['map_75'] - pool['map_75']:+.4f},",
    f"AP@0.5 {base['map_50'] - pool['map_50']:+.4f}",
)
plus1 = runs["+1 decoder"]
print(
    "+1 decoder: AP",
    f"{plus1['matching_decoder']['coco']['map']:.4f} ->",
    f"{plus1['coco']['map']:.4f}, AP@0.75",
    f"{plus1['matching_decoder']['coco']['map_75']:.4f} -> "
    f"{plus1['coco']['map_75']:.4f}",
)
for size in ("all", "small", "medium", "large"):
    before = plus1["matching_decoder"]["mean_best_iou"][size]
    after = plus1["mean_best_iou"][size]
    print(
        f"+1 decoder, mean best IoU, {size:<6} objects: {before:.4f} -> {after:.4f}",
        f"({after - before:+.4f})",
    )
for name, run in runs.items():
    if name != "+1 decoder":
        print(
            f"{name}: {run['train_config']['epochs']} epochs x",
            f"{run['train_config']['train_images']} scenes, "
            f"{run['seconds']['total']:.0f} s",
        )
# --8<-- [end:ablations]

# --8<-- [start:reload]
import torch

from snippets.detection.data import make_scene_dataset
from snippets.detection.metrics import coco_map
from snippets.detection.model import TinyFasterRCNN
from snippets.detection.train import evaluate

torch.set_num_threads(1)
model = TinyFasterRCNN()
state = torch.load("results/detector/detector.pt")
model.load_state_dict({k: v.float() for k, v in state.items()})
# the first 40 held-out scenes
images, boxes, labels = make_scene_dataset(40, seed=999_999)
_, detections = evaluate(model, images, boxes, labels)
result = coco_map(detections, list(zip(boxes, labels)), num_classes=5)
print(
    f"saved weights, first 40 held-out scenes: AP@0.5 = {result['map_50']:.3f},",
    f"AP@[.5:.95] = {result['map']:.3f}",
)
# --8<-- [end:reload]

# --8<-- [start:closing]
import json
from pathlib import Path

run = json.loads(Path("results/detector/run.json").read_text())
coco = run["coco"]
in_range = 0.5 <= coco["map_50"] <= 0.95
print(
    f"AP@[.5:.95] {coco['map']:.3f} | AP@0.5 {coco['map_50']:.3f} |",
    f"AP@0.75 {coco['map_75']:.3f} | AP S/M/L {coco['map_small']:.3f} /",
    f"{coco['map_medium']:.3f} / {coco['map_large']:.3f}",
)
print(
    f"on {run['train_config']['test_images']} held-out scenes;",
    f"AP@0.5 in [0.5, 0.95]: {in_range}",
)
seconds, machine = run["seconds"], run["machine"]
print(
    f"training run: {seconds['total']:.0f} s wall in total ({seconds['train']:.0f} s",
    f"training) on {machine['cores']} CPU cores, load average",
    f"{machine['load_average_1min']:.1f}; within 5 minutes: {seconds['total'] <= 300}",
)
# --8<-- [end:closing]
