"""snippets.detection.train: jwyang's parameter groups, sampler, learning-rate decay and exact resume;
the quick Adam loop lowers the loss; evaluation returns detections and an mAP."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from snippets.detection.data import make_dataset, make_scene_dataset
from snippets.detection.model import DetectorConfig, TinyFasterRCNN
from snippets.detection.train import (TrainConfig, aspect_ratio_batches, best_iou_per_object, evaluate,
                                      load_checkpoint, pad_batch, padding_waste, save_checkpoint,
                                      sgd_param_groups, train, train_epochs)


@pytest.fixture
def one_thread():
    """One intra-op thread: on a small shared CPU, extra threads mostly wait for each other."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def smoke_config(**overrides) -> DetectorConfig:
    """The smoke detector: tiny channels and few samples, a step takes milliseconds."""
    return DetectorConfig(channels=(8, 8, 16, 16), rpn_batch_size=32, pre_nms_train=100, post_nms_train=16,
                          roi_batch_size=8, pooled_size=3, **overrides)


class TestSgdParamGroups:
    def model(self) -> nn.Module:
        model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.GroupNorm(2, 4), nn.Linear(4, 2, bias=False))
        model[0].weight.requires_grad_(False)  # a frozen layer, as jwyang's first VGG16 blocks
        return model

    def test_known_groups(self):
        """Biases at 2 x lr without weight decay; weights at lr with weight decay; frozen ones left out."""
        model = self.model()
        groups = sgd_param_groups(model, lr=0.01, weight_decay=0.0005)
        named = {name: p for name, p in model.named_parameters()}
        expected = [("0.bias", 0.02, 0.0), ("1.weight", 0.01, 0.0005), ("1.bias", 0.02, 0.0),
                    ("2.weight", 0.01, 0.0005)]
        assert len(groups) == len(expected)
        for group, (name, lr, wd) in zip(groups, expected):
            assert group["params"] == [named[name]] and group["lr"] == lr and group["weight_decay"] == wd

    @pytest.mark.parametrize("double_bias, bias_decay", [(False, False), (False, True), (True, True)])
    def test_flags(self, double_bias, bias_decay):
        """DOUBLE_BIAS doubles only the bias lr; BIAS_DECAY gives biases the weight decay."""
        groups = sgd_param_groups(self.model(), 0.1, 0.001, double_bias=double_bias, bias_decay=bias_decay)
        bias = groups[0]
        assert bias["lr"] == pytest.approx(0.2 if double_bias else 0.1)
        assert bias["weight_decay"] == (0.001 if bias_decay else 0.0)
        assert groups[1]["lr"] == 0.1 and groups[1]["weight_decay"] == 0.001

    def test_sgd_step_matches_manual(self):
        """torch.optim.SGD on these groups: a bias moves by 2 lr g, a weight by lr (g + wd w)."""
        model = nn.Linear(2, 1)
        model.weight.data.fill_(1.0)
        model.bias.data.fill_(0.0)
        opt = torch.optim.SGD(sgd_param_groups(model, lr=0.1, weight_decay=0.5), momentum=0.9)
        model(torch.ones(1, 2)).sum().backward()  # gradients: weight 1, bias 1
        opt.step()
        torch.testing.assert_close(model.weight.data, torch.full((1, 2), 1 - 0.1 * (1 + 0.5)))
        torch.testing.assert_close(model.bias.data, torch.tensor([-0.2]))

    def test_bad_input(self):
        """A non-module or a non-positive lr is refused."""
        with pytest.raises(TypeError, match="model must be a torch.nn.Module, got list"):
            sgd_param_groups([], 0.1, 0.0)
        with pytest.raises(ValueError, match="lr must be > 0"):
            sgd_param_groups(nn.Linear(1, 1), 0.0, 0.0)


class TestAspectRatioBatches:
    def test_batches_share_one_orientation(self):
        """Groups of whole batches: every batch is all landscape or all portrait; each index once."""
        gen = torch.Generator().manual_seed(0)
        ratios = [4 / 3 if torch.rand((), generator=gen) < 0.6 else 3 / 4 for _ in range(40)]
        ratios[:24], ratios[24:] = [4 / 3] * 24, [3 / 4] * 16  # 3 and 2 batches of 8
        batches = aspect_ratio_batches(ratios, 8, torch.Generator().manual_seed(1))
        assert sorted(i for b in batches for i in b) == list(range(40))
        assert all(len({ratios[i] > 1 for i in b}) == 1 for b in batches)

    def test_at_most_one_mixed_batch_and_leftover_last(self):
        """Any mix of ratios: sorted order, so at most one batch straddles; the leftover comes last."""
        gen = torch.Generator().manual_seed(2)
        ratios = (torch.rand(37, generator=gen) + 0.5).tolist()
        batches = aspect_ratio_batches(ratios, 4, gen)
        mixed = [b for b in batches if len({ratios[i] > 1 for i in b}) > 1]
        assert len(mixed) <= 1 and len(batches[-1]) == 1 and all(len(b) == 4 for b in batches[:-1])
        for b in batches:
            assert [ratios[i] for i in b] == sorted(ratios[i] for i in b)

    def test_padding_waste(self):
        """Two 96x128 and two 128x96 images: paired by orientation nothing is padded; mixed, 1/4 is."""
        shapes = [(96, 128), (96, 128), (128, 96), (128, 96)]
        assert padding_waste([[0, 1], [2, 3]], shapes) == 0.0
        assert padding_waste([[0, 2], [1, 3]], shapes) == pytest.approx(0.25)
        batch, sizes = pad_batch([torch.ones(3, 96, 128), torch.ones(3, 128, 96)])
        assert batch.shape == (2, 3, 128, 128) and sizes == [(96, 128), (128, 96)]
        assert batch[0, :, 96:].abs().sum() == 0 and batch[0, :, :96, :128].min() == 1

    def test_bad_batch_size(self):
        """batch_size 0 is refused."""
        with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
            aspect_ratio_batches([1.0], 0)


class TestTrainEpochs:
    def run(self, tmp_path, stop_after: int | None = None):
        torch.manual_seed(0)
        images, boxes, labels = make_scene_dataset(6, seed=3, sizes=((48, 64), (64, 48)))
        cfg = TrainConfig(epochs=3, batch_size=2, lr=0.01, lr_decay_step=1, train_images=6)
        model = TinyFasterRCNN(smoke_config())
        opt = torch.optim.SGD(sgd_param_groups(model, cfg.lr, cfg.weight_decay), momentum=cfg.momentum)
        if stop_after is None:
            return train_epochs(model, opt, images, boxes, labels, cfg, progress=False)
        first = TrainConfig(**{**cfg.__dict__, "epochs": stop_after})
        train_epochs(model, opt, images, boxes, labels, first, save_dir=tmp_path, progress=False)
        torch.manual_seed(123)  # a fresh process: other weights and another global RNG state
        model = TinyFasterRCNN(smoke_config())
        opt = torch.optim.SGD(sgd_param_groups(model, cfg.lr, cfg.weight_decay), momentum=cfg.momentum)
        start, history = load_checkpoint(tmp_path / f"faster_rcnn_1_{stop_after}.pth", model, opt)
        assert start == stop_after + 1
        return train_epochs(model, opt, images, boxes, labels, cfg, start, history, progress=False)

    def test_resume_equals_no_interruption(self, tmp_path, one_thread):
        """Stop after epoch 1, reload weights and optimizer into a new model, go on: the same losses."""
        straight = self.run(tmp_path)
        resumed = self.run(tmp_path, stop_after=1)
        assert len(straight) == 9 and resumed == straight

    def test_step_decay_as_jwyang(self, tmp_path, one_thread):
        """lr_decay_step 1: lr drops 10x at epoch 2 (2 % (1 + 1) == 0), not at 3; biases stay at 2x."""
        history = self.run(tmp_path)
        assert [round(h["lr"], 6) for h in history[::3]] == [0.01, 0.001, 0.001]
        assert all(set(h) >= {"rpn_cls", "rpn_box", "rcnn_cls", "rcnn_box", "fg", "bg"} for h in history)

    def test_checkpoint_pooling_mode_must_match(self, tmp_path):
        """A checkpoint trained with RoI pooling does not load into a RoI Align model."""
        model = TinyFasterRCNN(smoke_config(pooling_mode="pool"))
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        save_checkpoint(tmp_path / "c.pth", model, opt, epoch=1)
        other = TinyFasterRCNN(smoke_config())
        with pytest.raises(ValueError, match="pooling_mode='pool', the model uses 'align'"):
            load_checkpoint(tmp_path / "c.pth", other, torch.optim.SGD(other.parameters(), lr=0.1))

    def test_bad_config(self):
        """Unknown optimizer and zero epochs are refused."""
        with pytest.raises(ValueError, match="optimizer must be 'sgd' or 'adam'"):
            TrainConfig(optimizer="rmsprop")
        with pytest.raises(ValueError, match="epochs must be >= 1, got 0"):
            TrainConfig(epochs=0)


class TestTrain:
    def test_short_training_run_lowers_the_loss(self, one_thread):
        """The smoke detector, 30 Adam steps on 16 easy images: the mean loss of the last 8 steps is below 0.8x the untrained model's first loss
        (about ln 2 + ln 4 for the two classifiers)."""
        torch.manual_seed(0)
        images, boxes, labels = make_dataset(16, seed=1)
        model = TinyFasterRCNN(smoke_config(num_classes=3, stride=4, anchor_sizes=(12.0, 20.0, 32.0)))
        history = train(model, images, boxes, labels, steps=30, batch_size=4, progress=False)
        totals = [sum(step.values()) for step in history]
        assert totals[0] > 2.0
        assert sum(totals[-8:]) / 8 < 0.8 * totals[0]


class TestEvaluate:
    def test_eval_output(self, one_thread):
        """Eval on images of two sizes returns (boxes, scores, labels) per image in input order, boxes
        inside each image, and an mAP in [0, 1]."""
        torch.manual_seed(0)
        images, boxes, labels = make_scene_dataset(3, seed=2, sizes=((48, 64), (64, 48)))
        result, detections = evaluate(TinyFasterRCNN(smoke_config()), images, boxes, labels)
        assert len(detections) == 3 and 0.0 <= result["map"] <= 1.0
        for image, (det_boxes, scores, det_labels) in zip(images, detections):
            assert det_boxes.shape[1] == 4 and scores.shape == det_labels.shape
            if det_boxes.numel():
                assert det_boxes.min() >= 0 and det_boxes[:, 2].max() <= image.shape[2]
                assert det_boxes[:, 3].max() <= image.shape[1]


class TestBestIouPerObject:
    def test_known_values(self):
        """Best same-class IoU above the score cut; 0 for a missed object."""
        gts = [(torch.tensor([[0.0, 0, 10, 10], [20.0, 20, 30, 30]]), torch.tensor([1, 2]))]
        dets = [(torch.tensor([[0.0, 0, 10, 5], [0.0, 0, 10, 10], [20.0, 20, 30, 30]]),
                 torch.tensor([0.9, 0.4, 0.9]), torch.tensor([1, 1, 1]))]
        torch.testing.assert_close(best_iou_per_object(dets, gts), torch.tensor([0.5, 0.0]))
