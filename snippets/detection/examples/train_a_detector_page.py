"""Code of docs/detection/train-a-detector.md, section by section (run top to bottom)."""

# --8<-- [start:data]
import torch

from snippets.detection.data import CLASSES, make_image

image, boxes, labels = make_image(torch.Generator().manual_seed(0))
print("image:", tuple(image.shape), f"values in [{image.min().item():.2f}, {image.max().item():.2f}]")
for box, label in zip(boxes.int().tolist(), labels.tolist()):
    print(f"  {CLASSES[label]:<9} {box}")
# --8<-- [end:data]

# --8<-- [start:model]
import torch

from snippets.detection.model import DetectorConfig, TinyFasterRCNN

torch.manual_seed(0)
model = TinyFasterRCNN(DetectorConfig())
for name, part in (("backbone", model.backbone), ("rpn head", model.rpn),
                   ("roi head", torch.nn.ModuleList([model.head, model.cls_score, model.bbox_pred]))):
    print(f"{name:<9} {sum(p.numel() for p in part.parameters()):>7,} parameters")
print("anchors per cell:", model.base_anchors.shape[0], "| feature map of a 64x64 image:",
      tuple(model.backbone(torch.zeros(1, 3, 64, 64)).shape[2:]))
# --8<-- [end:model]

# --8<-- [start:record]
import json
from pathlib import Path

run = json.loads(Path("results/detector/run.json").read_text())
machine = run["machine"]
print("command      :", run["command"])
print("date         :", machine["date"])
print("machine      :", f"{machine['cpu']}, {machine['cores']} cores, torch threads {machine['torch_threads']}")
print("load average :", f"{machine['load_average_1min']} at the start, {run['load_average_1min_after']} at the end "
      f"(1-minute; {machine['cores']} cores)")
print("steps        :", run["settings"]["steps"], "x batch", run["settings"]["batch_size"],
      "| train images", run["settings"]["train_images"], "| held-out images", run["settings"]["test_images"])
print("wall time    :", ", ".join(f"{k} {v:.1f} s" for k, v in run["seconds"].items()))
print("mAP@0.5      :", f"{run['map50']:.4f}")
for name, ap in zip(("rectangle", "ellipse", "triangle"), run["ap50_per_class"]):
    print(f"  AP {name:<9}: {ap:.4f}")
first, last = run["losses"][:20], run["losses"][-20:]
print("loss, mean of first / last 20 steps:",
      f"{sum(sum(s.values()) for s in first) / 20:.3f} -> {sum(sum(s.values()) for s in last) / 20:.3f}")
# --8<-- [end:record]

# --8<-- [start:reload]
import torch

from snippets.detection.data import make_dataset
from snippets.detection.model import TinyFasterRCNN
from snippets.detection.train import evaluate

torch.set_num_threads(1)
model = TinyFasterRCNN()
state = torch.load("results/detector/detector.pt")
model.load_state_dict({k: v.float() for k, v in state.items()})
images, boxes, labels = make_dataset(50, seed=999_999)  # the first 50 held-out images
result, _ = evaluate(model, images, boxes, labels)
print(f"saved weights, first 50 held-out images: mAP@0.5 = {result['map']:.3f}")
# --8<-- [end:reload]

# --8<-- [start:map]
import torch

from snippets.detection.metrics import ap_from_matches

# 3 detections of one class, 2 objects: hits at scores 0.9 and 0.7, a false alarm at 0.8
ap = ap_from_matches(torch.tensor([0.9, 0.8, 0.7]), torch.tensor([True, False, True]), num_gt=2)
print(f"AP = {ap:.4f}   (recall 0.5 at precision 1, then recall 1.0 at precision 2/3: 0.5 + 0.5 * 2/3)")
# --8<-- [end:map]

# --8<-- [start:closing]
import json
from pathlib import Path

run = json.loads(Path("results/detector/run.json").read_text())
target_met = run["map50"] >= 0.8 and run["seconds"]["total"] <= 300
print(f"mAP@0.5 = {run['map50']:.3f} on {run['settings']['test_images']} held-out images after "
      f"{run['seconds']['total']:.0f} s in total ({run['seconds']['train']:.0f} s training) on "
      f"{run['machine']['cores']} CPU cores, load average {run['machine']['load_average_1min']:.1f}; "
      f"target (mAP >= 0.8 within 5 minutes) met: {target_met}")
# --8<-- [end:closing]
