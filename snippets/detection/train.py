"""Train the small Faster R-CNN the way jwyang's ``trainval_net.py`` trains Faster R-CNN.

    python -m snippets.detection.train --out results/detector

follows the script section by section: its flags (``TrainConfig``), the roidb sorted by
aspect ratio and the ``sampler`` over it (``aspect_ratio_batches``), SGD with momentum on
jwyang's parameter groups (``sgd_param_groups``: ``DOUBLE_BIAS``, ``BIAS_DECAY``), the step
decay of the learning rate, the log lines, and checkpoints that resume exactly. It writes
``run.json`` (settings, log, per-step losses, AP, wall time, load average, machine, date),
``detector.pt`` (float16 weights) and ``detections.json`` (the first held-out images).
``--tag NAME`` writes ``NAME.json`` instead of ``run.json`` (the ablations).

Twins: jwyang/faster-rcnn.pytorch ``trainval_net.py`` and ``lib/roi_data_layer/roibatchLoader.py``;
``torch.optim.SGD``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from torch import Tensor, nn
from tqdm import tqdm

from snippets.detection.metrics import average_precision
from snippets.detection.model import TinyFasterRCNN
# --8<-- [end:imports]

# for the command line, the run record and the COCO scores (not shown on the page)
import argparse
import datetime as dt
import json
import os
import platform
import sys
import time

from snippets.detection.data import make_scene_dataset
from snippets.detection.metrics import coco_map
from snippets.detection.model import DetectorConfig

__all__ = [
    "train",
    "evaluate",
    "machine_info",
    "main",
    "TrainConfig",
    "sgd_param_groups",
    "aspect_ratio_batches",
    "pad_batch",
    "padding_waste",
    "adjust_learning_rate",
    "save_checkpoint",
    "load_checkpoint",
    "train_epochs",
    "log_lines",
    "best_iou_per_object",
]


# Argument checks live here, outside the shown sections, so each function reads as
# the training loop it is.
def _check_train_config(config: TrainConfig) -> None:
    if config.optimizer not in ("sgd", "adam"):
        raise ValueError(
            "optimizer must be 'sgd' or 'adam' (jwyang's --o), "
            f"got {config.optimizer!r}"
        )
    for name in (
        "epochs",
        "batch_size",
        "lr_decay_step",
        "disp_interval",
        "train_images",
    ):
        if getattr(config, name) < 1:
            raise ValueError(f"{name} must be >= 1, got {getattr(config, name)}")
    if not config.lr > 0:
        raise ValueError(f"lr must be > 0, got {config.lr}")


def _check_batch_size(batch_size: int) -> None:
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")


def _check_pooling_mode(checkpoint: dict, model: nn.Module) -> None:
    if checkpoint["pooling_mode"] != model.cfg.pooling_mode:
        raise ValueError(
            f"checkpoint was trained with pooling_mode={checkpoint['pooling_mode']!r}, "
            f"the model uses {model.cfg.pooling_mode!r}"
        )


# --8<-- [start:TrainConfig]
@dataclasses.dataclass
class TrainConfig:
    """Every training setting; the comment names jwyang's flag or ``cfg`` key and its
    default."""

    epochs: int = 16  # --epochs 20
    batch_size: int = 4  # --bs 1
    lr: float = 0.02  # --lr 0.001 (VGG16 on VOC)
    lr_decay_step: int = 12  # --lr_decay_step 5: decay when epoch % (step + 1) == 0
    lr_decay_gamma: float = 0.1  # --lr_decay_gamma 0.1
    optimizer: str = "sgd"  # --o sgd
    momentum: float = 0.9  # cfg.TRAIN.MOMENTUM 0.9
    weight_decay: float = 0.0005  # cfg.TRAIN.WEIGHT_DECAY 0.0005
    double_bias: bool = True  # cfg.TRAIN.DOUBLE_BIAS True
    bias_decay: bool = False  # cfg.TRAIN.BIAS_DECAY False
    clip_norm: float = 10.0  # clip_gradient(fasterRCNN, 10.) (vgg16 only)
    disp_interval: int = 25  # --disp_interval 100
    session: int = 1  # --s 1
    seed: int = 0  # cfg.RNG_SEED 3 (jwyang does not reseed per epoch)
    train_images: int = 480  # the roidb: VOC 2007 trainval has 5,011 images
    test_images: int = 200

    def __post_init__(self) -> None:
        _check_train_config(self)
# --8<-- [end:TrainConfig]


# --8<-- [start:sgd_param_groups]
def sgd_param_groups(
    model: nn.Module,
    lr: float,
    weight_decay: float,
    double_bias: bool = True,
    bias_decay: bool = False,
) -> list[dict]:
    """One parameter group per trainable parameter, as ``trainval_net.py`` builds them:
    a bias gets ``lr * (double_bias + 1)`` and weight decay only if ``bias_decay``;
    every other parameter gets ``lr`` and ``weight_decay``."""
    _check_groups_args(model, lr, weight_decay)
    params = []
    for key, value in dict(model.named_parameters()).items():
        if not value.requires_grad:
            continue  # frozen layers (jwyang: the first VGG16 blocks) are left out
        if "bias" in key:
            params += [
                {
                    "params": [value],
                    "lr": lr * (double_bias + 1),
                    "weight_decay": weight_decay if bias_decay else 0.0,
                }
            ]
        else:
            params += [{"params": [value], "lr": lr, "weight_decay": weight_decay}]
    return params
# --8<-- [end:sgd_param_groups]


def _check_groups_args(model: object, lr: float, weight_decay: float) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not lr > 0 or not weight_decay >= 0:
        raise ValueError(
            f"lr must be > 0 and weight_decay >= 0, got {lr} and {weight_decay}"
        )


# --8<-- [start:aspect_ratio_batches]
def aspect_ratio_batches(
    ratios: Sequence[float], batch_size: int, generator: torch.Generator | None = None
) -> list[list[int]]:
    """jwyang's ``sampler`` over the roidb sorted by aspect ratio (width / height).

    Sort the images by ratio (``ratio_index``), cut the sorted list into consecutive
    batches, shuffle whole batches, and put the leftover (len % batch_size) last.
    Returns the image indices of each batch.
    """
    _check_batch_size(batch_size)
    ratio_index = torch.argsort(
        torch.as_tensor(ratios, dtype=torch.float64), stable=True
    )
    num_full = len(ratio_index) // batch_size
    order = torch.randperm(num_full, generator=generator)  # whole batches, shuffled
    batches = [
        ratio_index[b * batch_size : (b + 1) * batch_size].tolist()
        for b in order.tolist()
    ]
    if len(ratio_index) % batch_size:
        batches.append(ratio_index[num_full * batch_size :].tolist())
    return batches
# --8<-- [end:aspect_ratio_batches]


# --8<-- [start:pad_batch]
def pad_batch(images: Sequence[Tensor]) -> tuple[Tensor, list[tuple[int, int]]]:
    """Stack images of different sizes (each Tensor[3, H_i, W_i]) into
    Tensor[N, 3, max H, max W], zero-padded at the bottom and right; also returns
    each image's (H_i, W_i)."""
    sizes = [(int(im.shape[1]), int(im.shape[2])) for im in images]
    height, width = max(h for h, _ in sizes), max(w for _, w in sizes)
    batch = images[0].new_zeros((len(images), 3, height, width))
    for i, im in enumerate(images):
        batch[i, :, : im.shape[1], : im.shape[2]] = im
    return batch, sizes


def padding_waste(
    batches: Sequence[Sequence[int]], shapes: Sequence[tuple[int, int]]
) -> float:
    """Fraction of the pixels fed to the network that are padding, for these batches."""
    fed = real = 0
    for batch in batches:
        height, width = (
            max(shapes[i][0] for i in batch),
            max(shapes[i][1] for i in batch),
        )
        fed += len(batch) * height * width
        real += sum(shapes[i][0] * shapes[i][1] for i in batch)
    return 1 - real / fed if fed else 0.0
# --8<-- [end:pad_batch]


# --8<-- [start:adjust_learning_rate]
def adjust_learning_rate(optimizer: torch.optim.Optimizer, decay: float = 0.1) -> None:
    """jwyang's ``adjust_learning_rate``: multiply every group's lr by ``decay``
    (so the doubled bias lr stays double)."""
    for group in optimizer.param_groups:
        group["lr"] = decay * group["lr"]
# --8<-- [end:adjust_learning_rate]


# --8<-- [start:checkpoint]
def save_checkpoint(
    path: str | Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    epoch: int,
    session: int = 1,
    history: list[dict] | None = None,
) -> None:
    """What ``trainval_net.py`` saves after an epoch: session, the *next* epoch, the
    weights, the optimizer (momentum buffers and the decayed lr) and the pooling mode;
    plus the loss history, so a resumed run's curve continues the same list."""
    torch.save(
        {
            "session": session,
            "epoch": epoch + 1,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "pooling_mode": model.cfg.pooling_mode,
            "history": history or [],
        },
        path,
    )


def load_checkpoint(
    path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer
) -> tuple[int, list[dict]]:
    """``--r``: restore weights and optimizer; returns (start epoch, history so far)."""
    checkpoint = torch.load(path, weights_only=False)
    _check_pooling_mode(checkpoint, model)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"], checkpoint["history"]
# --8<-- [end:checkpoint]


# --8<-- [start:log_lines]
def log_lines(step: dict, loss_temp: float, iters_per_epoch: int) -> list[str]:
    """The three lines ``trainval_net.py`` prints every ``disp_interval`` steps (without
    its wall-clock 'time cost', which this site keeps out of printed output)."""
    return [
        f"[session {step['session']}][epoch {step['epoch']:2d}][iter "
        f"{step['iter']:4d}/{iters_per_epoch:4d}] "
        f"loss: {loss_temp:.4f}, lr: {step['lr']:.2e}",
        f"\t\t\tfg/bg=({step['fg']}/{step['bg']})",
        f"\t\t\trpn_cls: {step['rpn_cls']:.4f}, rpn_box: {step['rpn_box']:.4f}, "
        f"rcnn_cls: {step['rcnn_cls']:.4f}, rcnn_box {step['rcnn_box']:.4f}",
    ]
# --8<-- [end:log_lines]


# --8<-- [start:train_epochs]
def train_epochs(
    model: TinyFasterRCNN,
    optimizer: torch.optim.Optimizer,
    images: Sequence[Tensor],
    boxes: Sequence[Tensor],
    labels: Sequence[Tensor],
    cfg: TrainConfig,
    start_epoch: int = 1,
    history: list[dict] | None = None,
    save_dir: Path | None = None,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> list[dict]:
    """The loop of ``trainval_net.py`` from ``start_epoch`` to ``cfg.epochs``; returns
    one dict per step (epoch, iter, lr, the four losses, fg/bg RoIs). Each epoch draws
    its batch order and samples from a generator seeded by (seed, epoch), so a resumed
    run repeats exactly."""
    history = list(history or [])
    # width / height, as jwyang's roidb
    ratios = [im.shape[2] / im.shape[1] for im in images]
    iters_per_epoch = -(-len(images) // cfg.batch_size)
    for epoch in range(start_epoch, cfg.epochs + 1):
        model.train()
        loss_temp = 0.0
        if (
            epoch % (cfg.lr_decay_step + 1) == 0
        ):  # jwyang's test: lr_decay_step 5 -> epochs 6, 12, 18
            adjust_learning_rate(optimizer, cfg.lr_decay_gamma)
        gen = torch.Generator().manual_seed(cfg.seed * 100_003 + epoch)
        batches = aspect_ratio_batches(ratios, cfg.batch_size, gen)
        bar = tqdm(
            batches,
            disable=not progress,
            desc=f"epoch {epoch}/{cfg.epochs}",
            leave=False,
        )
        for it, batch in enumerate(bar):
            data, sizes = pad_batch([images[i] for i in batch])
            losses = model(
                data, [boxes[i] for i in batch], [labels[i] for i in batch], gen, sizes
            )
            loss = sum(losses.values())
            loss_temp += float(loss.detach())
            optimizer.zero_grad()
            loss.backward()
            if cfg.clip_norm:
                # = jwyang's clip_gradient
                nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_norm)
            optimizer.step()
            step = {
                "session": cfg.session,
                "epoch": epoch,
                "iter": it,
                "lr": optimizer.param_groups[0]["lr"],
                **{k: round(float(v.detach()), 5) for k, v in losses.items()},
            }
            step["fg"], step["bg"] = model.last_fg_bg
            history.append(step)
            if it % cfg.disp_interval == 0:
                if it > 0:
                    # jwyang divides the sum of disp_interval steps by +1
                    loss_temp /= cfg.disp_interval + 1
                for line in log_lines(step, loss_temp, iters_per_epoch) if log else []:
                    log(line)
                loss_temp = 0.0
        if save_dir is not None:
            save_checkpoint(
                Path(save_dir) / f"faster_rcnn_{cfg.session}_{epoch}.pth",
                model,
                optimizer,
                epoch,
                cfg.session,
                history,
            )
    return history
# --8<-- [end:train_epochs]


# --8<-- [start:train]
def train(
    model: TinyFasterRCNN,
    images: torch.Tensor,
    boxes: list[torch.Tensor],
    labels: list[torch.Tensor],
    steps: int,
    batch_size: int = 8,
    lr: float = 2e-3,
    seed: int = 0,
    progress: bool = True,
) -> list[dict[str, float]]:
    """Adam on random mini-batches of one image size; the learning rate drops 10x for the last
    quarter. Returns the four losses of every step. A quick fit for smoke tests and the easy
    ``make_dataset`` images; the recorded detector trains with ``train_epochs`` (jwyang's SGD)."""
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.MultiStepLR(
        optimizer, milestones=[int(0.75 * steps)], gamma=0.1
    )
    model.train()
    history = []
    bar = tqdm(range(steps), disable=not progress, desc="train", mininterval=1.0)
    for _ in bar:
        pick = torch.randint(0, images.shape[0], (batch_size,), generator=gen).tolist()
        losses = model(
            images[pick],
            [boxes[i] for i in pick],
            [labels[i] for i in pick],
            generator=gen,
        )
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
def evaluate(
    model: TinyFasterRCNN,
    images: Tensor | Sequence[Tensor],
    boxes: list[Tensor],
    labels: list[Tensor],
    batch_size: int = 25,
) -> tuple[dict[str, object], list[tuple[Tensor, Tensor, Tensor]]]:
    """mAP@0.5 on held-out images with our ``average_precision``; also returns the
    detections. ``images``: Tensor[N, 3, H, W] or a list of Tensor[3, H_i, W_i]
    (batched by size, unpadded)."""
    model.eval()
    detections: list = [None] * len(boxes)
    shapes = [tuple(im.shape) for im in images]
    for shape in sorted(set(shapes)):
        same = [i for i, s in enumerate(shapes) if s == shape]
        for start in range(0, len(same), batch_size):
            chunk = same[start : start + batch_size]
            for i, det in zip(chunk, model(torch.stack([images[i] for i in chunk]))):
                detections[i] = det
    result = average_precision(
        detections, list(zip(boxes, labels)), model.cfg.num_classes, iou_threshold=0.5
    )
    return result, detections
# --8<-- [end:evaluate]


# --8<-- [start:best_iou_per_object]
def best_iou_per_object(
    detections: Sequence[tuple[Tensor, Tensor, Tensor]],
    ground_truths: Sequence[tuple[Tensor, Tensor]],
    min_score: float = 0.5,
) -> Tensor:
    """For every gt object (Tensor[G_total]): the best IoU of a detection of its class
    with score >= ``min_score`` (0 where there is none)."""
    from snippets.detection.boxes import box_iou

    best = []
    for (det_boxes, scores, det_labels), (gt_boxes, gt_labels) in zip(
        detections, ground_truths
    ):
        iou = box_iou(gt_boxes, det_boxes)  # (G, D)
        same = (gt_labels[:, None] == det_labels[None, :]) & (
            scores[None, :] >= min_score
        )
        best.append(
            torch.where(same, iou, 0.0).amax(dim=1)
            if det_boxes.shape[0]
            else torch.zeros(len(gt_boxes))
        )
    return torch.cat(best) if best else torch.zeros(0)
# --8<-- [end:best_iou_per_object]


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
    import importlib.metadata as md

    versions = {}
    for name in ("torch", "torchvision", "numpy", "pycocotools", "tqdm"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def _pycocotools_map(
    detections, ground_truths, num_classes: int
) -> dict[str, float] | None:
    """COCOeval's six headline numbers on the same detections (None if pycocotools is missing)."""
    import contextlib
    import io

    try:
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval
    except ImportError:
        return None

    def xywh(b):
        return [b[0], b[1], b[2] - b[0], b[3] - b[1]]

    anns, results = [], []
    for i, ((boxes, labels), (dboxes, scores, dlabels)) in enumerate(
        zip(ground_truths, detections)
    ):
        for b, l in zip(boxes.double().tolist(), labels.tolist()):
            anns.append(
                {
                    "id": len(anns) + 1,
                    "image_id": i + 1,
                    "category_id": l,
                    "bbox": xywh(b),
                    "area": xywh(b)[2] * xywh(b)[3],
                    "iscrowd": 0,
                }
            )
        for b, s, l in zip(
            dboxes.double().tolist(), scores.double().tolist(), dlabels.tolist()
        ):
            results.append(
                {"image_id": i + 1, "category_id": l, "bbox": xywh(b), "score": s}
            )
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = {
            "images": [{"id": i + 1} for i in range(len(ground_truths))],
            "annotations": anns,
            "categories": [{"id": c} for c in range(1, num_classes + 1)],
        }
        gt.createIndex()
        ev = COCOeval(gt, gt.loadRes(results), "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    keys = ("map", "map_50", "map_75", "map_small", "map_medium", "map_large")
    return {k: float(v) for k, v in zip(keys, ev.stats[:6])}


def _scores(detections, test_set, num_classes: int) -> dict[str, object]:
    images, boxes, labels = test_set
    gts = list(zip(boxes, labels))
    voc = average_precision(detections, gts, num_classes, iou_threshold=0.5)
    iou = best_iou_per_object(detections, gts)
    gt_all = torch.cat(boxes)
    area = (gt_all[:, 2] - gt_all[:, 0]) * (gt_all[:, 3] - gt_all[:, 1])
    return {
        "coco": coco_map(detections, gts, num_classes),
        "pycocotools": _pycocotools_map(detections, gts, num_classes),
        "voc_map50": voc["map"],
        "voc_ap50_per_class": voc["ap"],
        "mean_best_iou": {
            "all": float(iou.mean()),
            "small": float(iou[area < 32**2].mean()),
            "medium": float(iou[(area >= 32**2) & (area <= 96**2)].mean()),
            "large": float(iou[area > 96**2].mean()),
        },
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    defaults = TrainConfig()
    parser.add_argument("--out", type=Path, default=Path("results/detector"))
    parser.add_argument(
        "--tag", default="run", help="record name: OUT/TAG.json (run: the main record)"
    )
    # jwyang's flag names where jwyang has one
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--bs", type=int, default=defaults.batch_size)
    parser.add_argument("--lr", type=float, default=defaults.lr)
    parser.add_argument("--lr_decay_step", type=int, default=defaults.lr_decay_step)
    parser.add_argument("--lr_decay_gamma", type=float, default=defaults.lr_decay_gamma)
    parser.add_argument("--o", default=defaults.optimizer, choices=("sgd", "adam"))
    parser.add_argument("--disp_interval", type=int, default=defaults.disp_interval)
    parser.add_argument("--s", type=int, default=defaults.session)
    parser.add_argument(
        "--save_dir",
        type=Path,
        default=None,
        help="checkpoints, one per epoch (none if unset)",
    )
    parser.add_argument(
        "--r",
        action="store_true",
        help="resume from SAVE_DIR/faster_rcnn_S_CHECKEPOCH.pth",
    )
    parser.add_argument("--checkepoch", type=int, default=1)
    # ours: the ablations and the machine
    parser.add_argument("--pooling_mode", default="align", choices=("align", "pool"))
    parser.add_argument("--no_double_bias", action="store_true")
    parser.add_argument(
        "--eval_only",
        type=Path,
        default=None,
        help="evaluate these weights, no training",
    )
    parser.add_argument(
        "--box_convention", default="continuous", choices=("continuous", "plus1")
    )
    parser.add_argument("--train_images", type=int, default=defaults.train_images)
    parser.add_argument("--test_images", type=int, default=defaults.test_images)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch intra-op threads (1 is fastest on a small, busy machine)",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--no_progress", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> dict[str, object]:
    args = _parser().parse_args(argv)
    cfg = TrainConfig(
        epochs=args.epochs,
        batch_size=args.bs,
        lr=args.lr,
        lr_decay_step=args.lr_decay_step,
        lr_decay_gamma=args.lr_decay_gamma,
        optimizer=args.o,
        double_bias=not args.no_double_bias,
        disp_interval=args.disp_interval,
        session=args.s,
        seed=args.seed,
        train_images=args.train_images,
        test_images=args.test_images,
    )
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    before = machine_info()
    start = time.perf_counter()
    test_set = make_scene_dataset(
        cfg.test_images, seed=999_999
    )  # never used for training
    model = TinyFasterRCNN(
        DetectorConfig(
            pooling_mode=args.pooling_mode, box_convention=args.box_convention
        )
    )
    lines: list[str] = []
    history: list[dict] = []
    data_s = train_s = 0.0
    if args.eval_only:
        state = torch.load(args.eval_only)
        model.load_state_dict({k: v.float() for k, v in state.items()})
    else:
        train_set = make_scene_dataset(cfg.train_images, seed=1000 + cfg.seed)
        data_s = time.perf_counter() - start
        groups = sgd_param_groups(
            model, cfg.lr, cfg.weight_decay, cfg.double_bias, cfg.bias_decay
        )
        optimizer = (
            torch.optim.SGD(groups, momentum=cfg.momentum)
            if cfg.optimizer == "sgd"
            else torch.optim.Adam(groups)
        )
        start_epoch = 1
        if args.r:
            start_epoch, history = load_checkpoint(
                args.save_dir / f"faster_rcnn_{cfg.session}_{args.checkepoch}.pth",
                model,
                optimizer,
            )
        if args.save_dir:
            args.save_dir.mkdir(parents=True, exist_ok=True)

        def log(line: str) -> None:
            lines.append(line)
            if not args.no_progress:
                tqdm.write(line)

        history = train_epochs(
            model,
            optimizer,
            *train_set,
            cfg,
            start_epoch,
            history,
            args.save_dir,
            progress=not args.no_progress,
            log=log,
        )
        train_s = time.perf_counter() - start - data_s
    _, detections = evaluate(model, *test_set)
    scores = _scores(detections, test_set, model.cfg.num_classes)
    if (
        args.box_convention == "plus1"
    ):  # the same model decoded with the matching coder, for the shift
        model.cfg.box_convention = "continuous"
        scores["matching_decoder"] = _scores(
            evaluate(model, *test_set)[1], test_set, model.cfg.num_classes
        )
        model.cfg.box_convention = "plus1"
    total_s = time.perf_counter() - start
    after = machine_info()
    record = {
        "command": " ".join(
            [
                "python -m snippets.detection.train",
                *(sys.argv[1:] if argv is None else argv),
            ]
        ),
        "settings": vars(args)
        | {
            "out": str(args.out),
            "save_dir": str(args.save_dir),
            "eval_only": str(args.eval_only) if args.eval_only else None,
        },
        "train_config": dataclasses.asdict(cfg),
        "config": model.cfg.as_dict(),
        "parameters": sum(p.numel() for p in model.parameters()),
        **scores,
        "seconds": {
            "data": round(data_s, 1),
            "train": round(train_s, 1),
            "eval": round(total_s - data_s - train_s, 1),
            "total": round(total_s, 1),
        },
        "machine": before,
        "load_average_1min_after": after["load_average_1min"],
        "log": lines,
        "losses": history,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.tag}.json").write_text(
        json.dumps(record, indent=1) + "\n", encoding="utf-8"
    )
    if args.tag == "run":
        torch.save(
            {k: v.half() for k, v in model.state_dict().items()},
            args.out / "detector.pt",
        )
        shown = [
            {
                "boxes": [[round(v, 2) for v in b] for b in d[0].tolist()],
                "scores": [round(s, 4) for s in d[1].tolist()],
                "labels": d[2].tolist(),
            }
            for d in detections[:8]
        ]
        (args.out / "detections.json").write_text(
            json.dumps(shown) + "\n", encoding="utf-8"
        )
    coco = scores["coco"]
    print(
        f"AP {coco['map']:.4f}  AP50 {coco['map_50']:.4f}  AP75 {coco['map_75']:.4f}  "
        f"APs {coco['map_small']:.4f}  APm {coco['map_medium']:.4f}  APl {coco['map_large']:.4f}; "
        f"{total_s:.1f} s total ({train_s:.1f} s training); load average {before['load_average_1min']} -> "
        f"{after['load_average_1min']}"
    )
    return record


if __name__ == "__main__":
    main()
