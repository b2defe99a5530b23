"""Train the small Faster R-CNN on synthetic shapes and record the run.

    python -m snippets.detection.train --out results/detector

writes ``run.json`` (settings, per-step losses, mAP@0.5 per class, wall time, load
average, machine, date), ``detector.pt`` (float16 weights, < 2 MB) and
``detections.json`` (detections on the first held-out images, for the page's figure).
"""

# --8<-- [start:imports]
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

import torch
from tqdm import tqdm

from snippets.detection.data import make_dataset
from snippets.detection.metrics import average_precision
from snippets.detection.model import DetectorConfig, TinyFasterRCNN
# --8<-- [end:imports]

__all__ = ["train", "evaluate", "machine_info", "main"]


# --8<-- [start:train]
def train(model: TinyFasterRCNN, images: torch.Tensor, boxes: list[torch.Tensor], labels: list[torch.Tensor],
          steps: int, batch_size: int = 8, lr: float = 2e-3, seed: int = 0, progress: bool = True
          ) -> list[dict[str, float]]:
    """Adam on random mini-batches of the training set; the learning rate drops 10x for the last
    quarter. Returns the four losses of every step."""
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[int(0.75 * steps)], gamma=0.1)
    model.train()
    history = []
    bar = tqdm(range(steps), disable=not progress, desc="train", mininterval=1.0)
    for _ in bar:
        pick = torch.randint(0, images.shape[0], (batch_size,), generator=gen).tolist()
        losses = model(images[pick], [boxes[i] for i in pick], [labels[i] for i in pick], generator=gen)
        total = sum(losses.values())
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        schedule.step()
        history.append({k: round(float(v.detach()), 5) for k, v in losses.items()})
        bar.set_postfix(loss=f"{float(total.detach()):.3f}")
    return history
# --8<-- [end:train]


# --8<-- [start:evaluate]
@torch.no_grad()
def evaluate(model: TinyFasterRCNN, images: torch.Tensor, boxes: list[torch.Tensor], labels: list[torch.Tensor],
             batch_size: int = 25) -> tuple[dict[str, object], list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]]:
    """mAP@0.5 on held-out images with our ``average_precision``; also returns the detections."""
    model.eval()
    detections = []
    for start in range(0, images.shape[0], batch_size):
        detections += model(images[start:start + batch_size])
    result = average_precision(detections, list(zip(boxes, labels)), model.cfg.num_classes, iou_threshold=0.5)
    return result, detections
# --8<-- [end:evaluate]


def machine_info() -> dict[str, object]:
    """CPU, cores, threads used, versions, date and the 1-minute load average (busy machine => slower run)."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__, "python": platform.python_version(), "platform": platform.platform(),
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_average_1min": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("results/detector"))
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--train-images", type=int, default=2000)
    parser.add_argument("--test-images", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch intra-op threads (1 is fastest on a small, busy machine)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    before = machine_info()
    start = time.perf_counter()
    train_set = make_dataset(args.train_images, seed=1000 + args.seed)
    test_set = make_dataset(args.test_images, seed=999_999)  # never used for training
    data_s = time.perf_counter() - start
    model = TinyFasterRCNN(DetectorConfig())
    history = train(model, *train_set, steps=args.steps, batch_size=args.batch_size, lr=args.lr, seed=args.seed)
    train_s = time.perf_counter() - start - data_s
    result, detections = evaluate(model, *test_set)
    total_s = time.perf_counter() - start
    after = machine_info()
    record = {
        "command": " ".join(["python -m snippets.detection.train", *(sys.argv[1:] if argv is None else argv)]),
        "settings": vars(args) | {"out": str(args.out)}, "config": model.cfg.as_dict(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "map50": result["map"], "ap50_per_class": result["ap"],
        "seconds": {"data": round(data_s, 1), "train": round(train_s, 1), "eval": round(total_s - data_s - train_s, 1),
                    "total": round(total_s, 1)},
        "machine": before, "load_average_1min_after": after["load_average_1min"], "losses": history,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "run.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    torch.save({k: v.half() for k, v in model.state_dict().items()}, args.out / "detector.pt")
    shown = [{"boxes": [[round(v, 2) for v in b] for b in d[0].tolist()], "scores": [round(s, 4) for s in d[1].tolist()],
              "labels": d[2].tolist()} for d in detections[:8]]
    (args.out / "detections.json").write_text(json.dumps(shown) + "\n", encoding="utf-8")
    print(f"mAP@0.5 = {result['map']:.4f} per class {[round(a, 4) for a in result['ap']]}; "
          f"{total_s:.1f} s total ({train_s:.1f} s training); load average {before['load_average_1min']} -> "
          f"{after['load_average_1min']}")
    return record


if __name__ == "__main__":
    main()
