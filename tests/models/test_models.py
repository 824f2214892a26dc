"""Every registered model maps (B, 1, 28, 28) to (B, K); the baseline matches pytorch/examples."""

from __future__ import annotations

import pytest
import torch

from inkread.core.errors import ConfigError
from inkread.models import build_model, model_names


@pytest.mark.parametrize("name", model_names())
@pytest.mark.parametrize("classes", [10, 26])
def test_output_shape(name: str, classes: int) -> None:
    model = build_model(name, classes).eval()
    assert model(torch.rand(3, 1, 28, 28)).shape == (3, classes)


def test_registry_has_the_six_families() -> None:
    assert model_names() == ["logreg", "mlp", "fast_cnn", "accurate_cnn", "deep_cnn", "baseline"]


def test_baseline_parameter_count_matches_pytorch_examples() -> None:
    model = build_model("baseline", 10)
    assert sum(p.numel() for p in model.parameters()) == 1_199_882


def test_mlp_options_change_the_layers() -> None:
    model = build_model("mlp", 10, hidden=[64, 32, 16], dropout=0.1)
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linears] == [64, 32, 16, 10]


def test_unknown_model_lists_the_names() -> None:
    with pytest.raises(ConfigError, match="logreg, mlp, fast_cnn, accurate_cnn, deep_cnn, baseline"):
        build_model("resnet", 10)


def test_unknown_option_lists_the_allowed_ones() -> None:
    with pytest.raises(ConfigError, match=r"depth.*widths"):
        build_model("fast_cnn", 10, depth=3)


def classifier_inputs(model: torch.nn.Module) -> int:
    """Features the model's last linear layer (its classifier) takes."""
    return [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1].in_features


@pytest.mark.parametrize(("head", "inputs"), [("gap", 128), ("flatten", 128 * 7 * 7)])
def test_accurate_cnn_head_pools_or_keeps_positions(head: str, inputs: int) -> None:
    model = build_model("accurate_cnn", 10, head=head).eval()
    assert classifier_inputs(model) == inputs
    assert model(torch.rand(2, 1, 28, 28)).shape == (2, 10)


def test_accurate_cnn_unknown_head_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="head must be 'gap' or 'flatten'"):
        build_model("accurate_cnn", 10, head="max")


def test_deep_cnn_shrinks_two_pixels_per_layer_without_pooling() -> None:
    model = build_model("deep_cnn", 10, widths=[8, 16, 24]).eval()
    assert not any(isinstance(m, torch.nn.MaxPool2d) for m in model.modules())
    assert model.get_submodule("features")(torch.rand(2, 1, 28, 28)).shape == (2, 24, 22, 22)
    assert classifier_inputs(model) == 24 * 22 * 22
    default = build_model("deep_cnn", 10)
    assert classifier_inputs(default) == 88 * 8 * 8  # ten layers: 28 -> 8


def test_deep_cnn_too_many_layers_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="1 to 13 fit a 28x28 image"):
        build_model("deep_cnn", 10, widths=[8] * 14)
