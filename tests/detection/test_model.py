"""snippets.detection.model/data/train: the detector trains (a short run) and detects."""

from __future__ import annotations

import pytest
import torch

from snippets.detection.data import CLASSES, make_dataset, make_image
from snippets.detection.model import DetectorConfig, TinyFasterRCNN
from snippets.detection.train import evaluate, train


class TestMakeImage:
    def test_deterministic_and_valid(self):
        """Same seed, same image; boxes inside the image, labels in 1..3."""
        a = make_image(torch.Generator().manual_seed(5))
        b = make_image(torch.Generator().manual_seed(5))
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
        assert a[0].shape == (3, 64, 64) and 0 <= a[1].min() and a[1].max() <= 64
        assert set(a[2].tolist()) <= {1, 2, 3} and len(CLASSES) == 4


@pytest.fixture
def one_thread():
    """One intra-op thread: on a small shared CPU, extra threads mostly wait for each other."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


class TestTinyFasterRCNN:
    def test_short_training_run_lowers_the_loss(self, one_thread):
        """30 steps on 16 images: the mean loss of the last 8 steps is below 0.8x the untrained model's first loss
        (about ln 2 + ln 4 for the two classifiers)."""
        torch.manual_seed(0)
        images, boxes, labels = make_dataset(16, seed=1)
        model = TinyFasterRCNN(DetectorConfig())
        history = train(model, images, boxes, labels, steps=30, batch_size=4, progress=False)
        totals = [sum(step.values()) for step in history]
        assert totals[0] > 2.0
        assert sum(totals[-8:]) / 8 < 0.8 * totals[0]

    def test_eval_output(self, one_thread):
        """Eval returns (boxes, scores, labels) per image, boxes inside the image, and an mAP in [0, 1]."""
        torch.manual_seed(0)
        images, boxes, labels = make_dataset(3, seed=2)
        result, detections = evaluate(TinyFasterRCNN(), images, boxes, labels)
        assert len(detections) == 3 and 0.0 <= result["map"] <= 1.0
        for det_boxes, scores, det_labels in detections:
            assert det_boxes.shape[1] == 4 and scores.shape == det_labels.shape
            assert det_boxes.numel() == 0 or (det_boxes.min() >= 0 and det_boxes.max() <= 64)

    def test_training_needs_targets(self):
        """Training mode without boxes is an error."""
        with pytest.raises(ValueError, match="training needs boxes"):
            TinyFasterRCNN()(torch.zeros(1, 3, 64, 64))

    def test_unknown_setting(self):
        """A misspelt config key is refused."""
        with pytest.raises(TypeError, match="unknown DetectorConfig setting 'stirde'"):
            DetectorConfig(stirde=8)
