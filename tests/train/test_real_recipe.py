"""configs/real.yaml is the fast recipe plus augmentation matching preprocessed real input."""

from __future__ import annotations

from inkread.train.config import load_config
from tests.conftest import REPO


def test_real_recipe_is_fast_plus_augmentation() -> None:
    fast, real = load_config(REPO / "configs" / "fast.yaml"), load_config(REPO / "configs" / "real.yaml")
    assert fast.augment is None and real.augment is not None
    assert real.model_dump(exclude={"augment"}) == fast.model_dump(exclude={"augment"})  # same budget
    a = real.augment
    assert a.stroke > 0 and a.blur > 0 and a.shear > 0 and a.elastic_alpha > 0 and a.hflip == 0
    assert a.translate <= 0.1 and a.scale[0] >= 0.9 and a.scale[1] <= 1.1  # preprocessing fixes these
