"""Batched augmentation: config validation, reproducibility, per-sample randomness and geometry."""

from __future__ import annotations

import pydantic
import pytest
import torch
import torch.nn.functional as F

from inkread.core.errors import ConfigError, DataError
from inkread.data.augment import (
    AugmentConfig,
    Augmenter,
    AugmentParams,
    affine_grid,
    affine_theta,
    change_stroke,
    gaussian_smooth,
)

ALL_ON = AugmentConfig(crop_pad=2, elastic_alpha=2.0, stroke=1.0, blur=0.8, noise=0.05)


def digits(b: int = 16, h: int = 28, w: int = 28, seed: int = 0) -> torch.Tensor:
    """Synthetic ink-like images (B, 1, H, W) in [0, 1]: a random bar and blob per sample."""
    g = torch.Generator().manual_seed(seed)
    x = torch.zeros(b, 1, h, w)
    for i in range(b):
        r, c = torch.randint(h // 2 - 4, h // 2 + 4, (2,), generator=g).tolist()
        x[i, 0, r - 4:r + 4, c - 1:c + 1] = 1.0
        x[i, 0, r - 1:r + 1, c:c + 5] = 0.7
    return x


def moments(x: torch.Tensor) -> torch.Tensor:
    """Centre of mass (B, 2) as (x, y) pixel indices."""
    h, w = x.shape[-2:]
    m = x.sum(dim=(1, 2, 3))
    cy = (x.sum(dim=(1, 3)) * torch.arange(h)).sum(1) / m
    cx = (x.sum(dim=(1, 2)) * torch.arange(w)).sum(1) / m
    return torch.stack([cx, cy], dim=1)


def params(b: int, **values: torch.Tensor) -> AugmentParams:
    """Neutral parameters with some fields replaced."""
    p = AugmentParams.identity(b)
    for k, v in values.items():
        setattr(p, k, v)
    return p


@pytest.mark.parametrize("config", [AugmentConfig(), ALL_ON], ids=["default", "all-on"])
def test_shape_dtype_range(config: AugmentConfig) -> None:
    x = digits(8)
    y = Augmenter(config, seed=1)(x)
    assert y.shape == x.shape and y.dtype == x.dtype
    assert float(y.min()) >= 0.0 and float(y.max()) <= 1.0
    assert not torch.equal(y, x)
    assert torch.isfinite(y).all()


def test_non_square_and_multichannel() -> None:
    x = torch.rand(3, 2, 20, 32)
    y = Augmenter(ALL_ON, seed=0)(x)
    assert y.shape == x.shape


@pytest.mark.parametrize("config", [AugmentConfig(), ALL_ON], ids=["default", "all-on"])
def test_same_seed_same_output_other_seed_differs(config: AugmentConfig) -> None:
    x = digits(8)
    a, b, c = Augmenter(config, seed=7), Augmenter(config, seed=7), Augmenter(config, seed=8)
    ya, yb, yc = a(x), b(x), c(x)
    assert torch.equal(ya, yb)
    assert not torch.allclose(ya, yc)
    assert not torch.allclose(a(x), ya)  # the next call draws new transforms


def test_state_dict_replays_the_same_transforms() -> None:
    x = digits(8)
    a = Augmenter(ALL_ON, seed=3)
    a(x)
    saved = a.state_dict()
    first = a(x)
    b = Augmenter(ALL_ON, seed=99)
    b.load_state_dict(saved)
    assert torch.equal(b(x), first)


def test_parameters_differ_per_sample() -> None:
    p = Augmenter(ALL_ON, seed=0).sample((32, 1, 28, 28))
    for name in ("angle", "scale", "shear", "stroke", "blur"):
        assert getattr(p, name).unique().numel() > 16, name
    assert p.shift.unique(dim=0).shape[0] > 16
    assert p.flow is not None and not torch.allclose(p.flow[0], p.flow[1])
    # the same image repeated comes out different in every position of the batch
    y = Augmenter(AugmentConfig(), seed=0)(digits(1).expand(16, -1, -1, -1))
    flat = y.flatten(1)
    assert torch.cdist(flat, flat).add(torch.eye(16)).min() > 1e-3


def test_ranges_respected() -> None:
    cfg = AugmentConfig(rotate=10, translate=0.05, scale=(0.8, 1.2), shear=5, crop_pad=3, stroke=1)
    p = Augmenter(cfg, seed=0).sample((256, 1, 28, 28))
    assert p.angle.abs().max() <= 10 and p.shear.abs().max() <= 5
    assert p.scale.min() >= 0.8 and p.scale.max() <= 1.2
    assert p.shift.abs().max() <= 0.05 * 28 + 3 + 1e-5
    assert p.stroke.abs().max() <= 1 and not p.flip.any()


def test_none_is_identity() -> None:
    x = torch.rand(8, 1, 28, 28)
    y = Augmenter(AugmentConfig.none(), seed=0)(x)
    assert torch.allclose(y, x, atol=1e-5)
    assert y.data_ptr() != x.data_ptr()


def test_identity_params_through_the_warp_are_identity() -> None:
    x = digits(4)
    p = params(4, angle=torch.full((4,), 1e-9))  # forces the grid_sample path
    assert p.moves()
    assert torch.allclose(Augmenter(AugmentConfig.none()).apply(x, p), x, atol=1e-5)


@pytest.mark.parametrize("size", [28, 29])
def test_rotate_90_matches_rot90(size: int) -> None:
    x = torch.rand(3, 1, size, size)
    y = Augmenter(AugmentConfig.none()).apply(x, params(3, angle=torch.full((3,), 90.0)))
    # positive angles turn counter-clockwise as seen, like torch.rot90 over (H, W)
    assert torch.allclose(y, torch.rot90(x, 1, dims=(2, 3)), atol=1e-5)


def test_rotate_single_pixel() -> None:
    x = torch.zeros(1, 1, 29, 29)
    x[0, 0, 4, 14] = 1.0  # 10 px above the centre (14, 14)
    y = Augmenter(AugmentConfig.none()).apply(x, params(1, angle=torch.tensor([90.0])))
    assert torch.nonzero(y[0, 0] > 0.99).tolist() == [[14, 4]]  # now 10 px left of the centre
    y = Augmenter(AugmentConfig.none()).apply(x, params(1, angle=torch.tensor([-90.0])))
    assert torch.nonzero(y[0, 0] > 0.99).tolist() == [[14, 24]]


def test_translation_moves_centre_of_mass() -> None:
    x = digits(4)
    shift = torch.tensor([[3.0, -2.0], [-1.5, 0.0], [0.0, 2.5], [1.0, 1.0]])
    y = Augmenter(AugmentConfig.none()).apply(x, params(4, shift=shift))
    assert torch.allclose(moments(y) - moments(x), shift, atol=1e-3)


def test_scale_and_flip() -> None:
    x = digits(2)
    y = Augmenter(AugmentConfig.none()).apply(x, params(2, flip=torch.tensor([True, False])))
    assert torch.allclose(y[0], torch.flip(x[0], dims=(-1,)), atol=1e-5)
    assert torch.allclose(y[1], x[1], atol=1e-5)
    square = torch.zeros(2, 1, 28, 28)
    square[:, :, 10:18, 10:18] = 1.0  # 8x8, centred
    big = Augmenter(AugmentConfig.none()).apply(square, params(2, scale=torch.tensor([2.0, 0.5])))
    ratio = big.sum(dim=(1, 2, 3)) / square.sum(dim=(1, 2, 3))
    assert torch.allclose(ratio, torch.tensor([4.0, 0.25]), atol=0.02)  # area goes as zoom^2


@pytest.mark.parametrize("size", [(28, 28), (20, 33)])
def test_affine_grid_matches_torch(size: tuple[int, int]) -> None:
    theta = torch.randn(5, 2, 3)
    ref = F.affine_grid(theta, [5, 1, *size], align_corners=False)
    assert torch.allclose(affine_grid(theta, *size).permute(0, 2, 3, 1), ref, atol=1e-5)


def test_theta_matches_affine_grid_convention_for_non_square() -> None:
    # a pure shift of 2 px along x in a 20x40 image is 2 * 2 / 40 in normalised units
    theta = affine_theta(params(1, shift=torch.tensor([[2.0, 1.0]])), 20, 40)
    expected = torch.tensor([[[1.0, 0.0, -0.1], [0.0, 1.0, -0.1]]])
    assert torch.allclose(theta, expected, atol=1e-6)


def test_elastic_displacement_bounded_by_alpha() -> None:
    cfg = AugmentConfig.none().model_copy(update={"elastic_alpha": 2.0})
    p = Augmenter(cfg, seed=0).sample((16, 1, 28, 28))
    assert p.flow is not None and p.flow.shape == (16, 2, 28, 28)
    peak = p.flow.abs().flatten(1).amax(1)
    assert torch.allclose(peak, torch.full((16,), 2.0))
    # smooth: neighbouring displacements differ by much less than the peak
    assert (p.flow[:, :, 1:] - p.flow[:, :, :-1]).abs().max() < 1.0
    assert (p.flow[..., 1:] - p.flow[..., :-1]).abs().max() < 1.0


def test_dilation_adds_ink_and_erosion_removes_it() -> None:
    x = digits(3)
    y = change_stroke(x, torch.tensor([1.0, -1.0, 0.0]))
    ink, out = x.sum(dim=(1, 2, 3)), y.sum(dim=(1, 2, 3))
    assert out[0] > ink[0] * 1.3 and out[1] < ink[1] * 0.8
    assert torch.equal(y[2], x[2])
    # a whole pixel is a max/min over the 4-neighbourhood, which max_pool2d bounds from above
    assert (y[0] <= F.max_pool2d(x[0:1], 3, stride=1, padding=1)[0]).all()
    half = change_stroke(x[:1], torch.tensor([0.5]))
    assert ink[0] < half.sum() < out[0]


def test_blur_matches_gaussian_convolution_and_keeps_ink() -> None:
    x = digits(2)
    t = torch.arange(-27, 28, dtype=torch.float32)
    k = torch.exp(-0.5 * (t / 1.5) ** 2)
    k = k / k.sum()
    ref = F.conv2d(F.conv2d(x, k.view(1, 1, 1, -1), padding=(0, 27)), k.view(1, 1, -1, 1),
                   padding=(27, 0))
    y = gaussian_smooth(x, torch.tensor([1.5, 1.5]))
    assert torch.allclose(y, ref, atol=1e-5)
    assert torch.allclose(y.sum(), x.sum(), rtol=1e-3)  # ink is far from the border


def test_noise_std_within_bound() -> None:
    cfg = AugmentConfig.none().model_copy(update={"noise": 0.1})
    x = torch.full((64, 1, 28, 28), 0.5)
    d = Augmenter(cfg, seed=0)(x) - x
    stds = d.flatten(1).std(dim=1)
    assert stds.max() < 0.11 and stds.max() > 0.05 and stds.min() < 0.03


def test_hflip_refused_unless_forced() -> None:
    with pytest.raises(ConfigError, match="flipped 2 is not a 2") as err:
        AugmentConfig(hflip=0.5)
    assert "force_hflip" in str(err.value)
    cfg = AugmentConfig.none().model_copy(update={"hflip": 1.0, "force_hflip": True})
    cfg = AugmentConfig.model_validate(cfg.model_dump())
    x = digits(4)
    assert torch.allclose(Augmenter(cfg)(x), torch.flip(x, dims=(-1,)), atol=1e-5)


def test_unknown_key_and_bad_values_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="rotation"):
        AugmentConfig.model_validate({"rotation": 10})
    with pytest.raises(pydantic.ValidationError):
        AugmentConfig(scale=(1.2, 0.8))
    with pytest.raises(pydantic.ValidationError):
        AugmentConfig(rotate=-1)


def test_default_is_mild_and_none_is_off() -> None:
    d, n = AugmentConfig(), AugmentConfig.none()
    assert 0 < d.rotate <= 15 and 0 < d.translate <= 0.15 and d.hflip == 0
    assert not (n.rotate or n.translate or n.shear or n.crop_pad or n.elastic_alpha
                or n.stroke or n.blur or n.noise or n.hflip) and n.scale == (1.0, 1.0)


def test_rejects_non_batched_input() -> None:
    with pytest.raises(DataError):
        Augmenter(AugmentConfig())(torch.rand(28, 28))
    with pytest.raises(DataError):
        Augmenter(AugmentConfig())(torch.zeros(2, 1, 28, 28, dtype=torch.uint8))
