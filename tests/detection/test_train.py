"""snippets.detection.train: a short run lowers the loss; evaluation returns detections and an mAP."""

from __future__ import annotations

import pytest
import torch

from snippets.detection.data import make_dataset
from snippets.detection.model import DetectorConfig, TinyFasterRCNN
from snippets.detection.train import evaluate, train


@pytest.fixture
def one_thread():
    """One intra-op thread: on a small shared CPU, extra threads mostly wait for each other."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


class TestTrain:
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


class TestEvaluate:
    def test_eval_output(self, one_thread):
        """Eval returns (boxes, scores, labels) per image, boxes inside the image, and an mAP in [0, 1]."""
        torch.manual_seed(0)
        images, boxes, labels = make_dataset(3, seed=2)
        result, detections = evaluate(TinyFasterRCNN(), images, boxes, labels)
        assert len(detections) == 3 and 0.0 <= result["map"] <= 1.0
        for det_boxes, scores, det_labels in detections:
            assert det_boxes.shape[1] == 4 and scores.shape == det_labels.shape
            assert det_boxes.numel() == 0 or (det_boxes.min() >= 0 and det_boxes.max() <= 64)
