"""snippets.detection.model: the small Faster R-CNN's configuration and modes."""

from __future__ import annotations

import pytest
import torch

from snippets.detection.model import DetectorConfig, TinyFasterRCNN


class TestTinyFasterRCNN:
    def test_training_needs_targets(self):
        """Training mode without boxes is an error."""
        with pytest.raises(ValueError, match="training needs boxes"):
            TinyFasterRCNN()(torch.zeros(1, 3, 64, 64))

    def test_unknown_setting(self):
        """A misspelt config key is refused."""
        with pytest.raises(TypeError, match="unknown DetectorConfig setting 'stirde'"):
            DetectorConfig(stirde=8)
