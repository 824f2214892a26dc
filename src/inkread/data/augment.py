"""Batched augmentation: every sample draws its own random transform, all applied in one pass."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from inkread.core.errors import ConfigError, DataError


class AugmentConfig(BaseModel):
    """Ranges of the random transforms; each sample draws its own values uniformly within them.

    The defaults are a mild MNIST augmentation (small rotation, shift, zoom and slant);
    `AugmentConfig.none()` turns everything off.
    """

    model_config = ConfigDict(extra="forbid")

    # largest rotation in degrees, either way; 12 keeps a 7 a 7 and a 1 a 1.
    rotate: float = Field(default=12.0, ge=0.0, le=180.0)
    # largest shift along each axis as a fraction of the image size (0.1 of 28 px = 2.8 px).
    translate: float = Field(default=0.1, ge=0.0, le=1.0)
    # (min, max) zoom factor; above 1 enlarges the character.
    scale: tuple[float, float] = (0.9, 1.1)
    # largest horizontal shear in degrees, either way: slanted handwriting.
    shear: float = Field(default=8.0, ge=0.0, lt=90.0)
    # pad by this many pixels and crop back to size at a random offset: an integer shift.
    crop_pad: int = Field(default=0, ge=0)
    # largest elastic displacement in pixels (Simard et al. 2003); 0 turns it off.
    elastic_alpha: float = Field(default=0.0, ge=0.0)
    # smoothness of the elastic field: std in pixels of the gaussian smoothing the random field.
    elastic_sigma: float = Field(default=4.0, gt=0.0)
    # largest radius in pixels of a random dilation (thicker) or erosion (thinner) of strokes;
    # fractions blend between whole-pixel steps, so 0.5 is a gentle change. 0 turns it off.
    stroke: float = Field(default=0.0, ge=0.0)
    # largest gaussian blur sigma in pixels; 0 turns it off.
    blur: float = Field(default=0.0, ge=0.0)
    # largest std of added gaussian pixel noise on the [0, 1] scale; 0 turns it off.
    noise: float = Field(default=0.0, ge=0.0)
    # probability of a horizontal flip; refused unless force_hflip is set.
    hflip: float = Field(default=0.0, ge=0.0, le=1.0)
    # allow hflip, for data whose classes survive mirroring.
    force_hflip: bool = False

    @field_validator("scale")
    @classmethod
    def _scale_range(cls, v: tuple[float, float]) -> tuple[float, float]:
        """The zoom range must be positive and ordered."""
        if not 0.0 < v[0] <= v[1]:
            raise ValueError(f"scale {v} must be (min, max) with 0 < min <= max")
        return v

    @model_validator(mode="after")
    def _refuse_flip(self) -> AugmentConfig:
        """Refuse horizontal flips unless explicitly forced."""
        if self.hflip > 0 and not self.force_hflip:
            raise ConfigError(
                f"hflip={self.hflip} would mirror characters, and a mirrored character is "
                "another character or none (a flipped 2 is not a 2)",
                expected="hflip: 0 for digits and letters",
                fix="set hflip to 0, or set force_hflip: true only for data where mirror "
                "images keep their class",
            )
        return self

    @classmethod
    def none(cls) -> AugmentConfig:
        """A configuration with every transform off: the augmenter returns its input."""
        return cls(rotate=0.0, translate=0.0, scale=(1.0, 1.0), shear=0.0)


@dataclass
class AugmentParams:
    """Per-sample random values for one batch of B images; `apply` is deterministic given them."""

    angle: torch.Tensor  # (B,) degrees, positive = counter-clockwise as seen
    shift: torch.Tensor  # (B, 2) pixels (x right, y down)
    scale: torch.Tensor  # (B,) zoom factor
    shear: torch.Tensor  # (B,) degrees of horizontal shear
    flip: torch.Tensor  # (B,) bool, mirror left-right
    stroke: torch.Tensor  # (B,) radius in pixels: > 0 dilate, < 0 erode
    blur: torch.Tensor  # (B,) gaussian sigma in pixels
    flow: torch.Tensor | None = None  # (B, 2, H, W) elastic displacement in pixels (x, y)
    noise: torch.Tensor | None = None  # (B, C, H, W) additive noise

    @classmethod
    def identity(cls, batch: int) -> AugmentParams:
        """Neutral values for `batch` samples: applying them changes nothing."""
        zeros = torch.zeros(batch)
        return cls(angle=zeros, shift=torch.zeros(batch, 2), scale=torch.ones(batch),
                   shear=zeros.clone(), flip=torch.zeros(batch, dtype=torch.bool),
                   stroke=zeros.clone(), blur=zeros.clone())

    def moves(self) -> bool:
        """True when any sample's pixels move, so a grid_sample is needed."""
        return bool((self.angle != 0).any() or (self.shift != 0).any() or (self.scale != 1).any()
                    or (self.shear != 0).any() or self.flip.any() or self.flow is not None)


def gaussian_matrix(n: int, sigma: torch.Tensor) -> torch.Tensor:
    """Matrices (N, n, n) convolving a length-n signal (zero outside) with a gaussian per sigma (N,)."""
    t = torch.arange(1 - n, n, dtype=sigma.dtype, device=sigma.device)  # (2n - 1,) offsets
    k = torch.exp(-0.5 * (t / sigma.clamp_min(1e-3).view(-1, 1)) ** 2)  # (N, 2n - 1)
    k = k / k.sum(dim=1, keepdim=True)
    i = torch.arange(n, device=sigma.device)
    return k[:, i.view(-1, 1) - i.view(1, -1) + n - 1]  # (N, n, n) Toeplitz, symmetric


def gaussian_smooth(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Blur x (N, C, H, W) with a gaussian of sigma (N,) or (1,), zero outside, as two matmuls."""
    _, _, h, w = x.shape
    gh = gaussian_matrix(h, sigma).unsqueeze(1)  # (N, 1, H, H) mixes rows
    gw = gh if w == h else gaussian_matrix(w, sigma).unsqueeze(1)  # (N, 1, W, W) mixes columns
    return gh @ x @ gw


def spread_matrix(n: int, sigma: float) -> torch.Tensor:
    """Weights (n, m) spreading m random values spaced about sigma apart over n pixels."""
    m = max(2, math.ceil(n / sigma))
    src = (torch.arange(m, dtype=torch.float32) + 0.5) * (n / m) - 0.5  # (m,) centres in pixels
    d = torch.arange(n, dtype=torch.float32).view(-1, 1) - src.view(1, -1)  # (n, m)
    return torch.exp(-0.5 * (d / sigma) ** 2)


def affine_theta(p: AugmentParams, height: int, width: int) -> torch.Tensor:
    """Per-sample (B, 2, 3) matrices as for F.affine_grid, mapping output to input coordinates."""
    a, sh = torch.deg2rad(p.angle), torch.tan(torch.deg2rad(p.shear))
    cos, sin = torch.cos(a), torch.sin(a)
    sx = torch.where(p.flip, -p.scale, p.scale)
    # forward map in pixels about the centre (x right, y down): rotate @ shear @ diag(sx, s)
    m00, m01 = cos * sx, (cos * sh + sin) * p.scale
    m10, m11 = -sin * sx, (cos - sin * sh) * p.scale
    det = m00 * m11 - m01 * m10
    i00, i01, i10, i11 = m11 / det, -m01 / det, -m10 / det, m00 / det  # inverse, (B,) each
    tx, ty = p.shift[:, 0], p.shift[:, 1]
    hw, hh = width / 2.0, height / 2.0  # half sizes: pixels -> normalised [-1, 1]
    row0 = torch.stack([i00, i01 * (hh / hw), (i00 * tx + i01 * ty) * (-1 / hw)], dim=1)  # (B, 3)
    row1 = torch.stack([i10 * (hw / hh), i11, (i10 * tx + i11 * ty) * (-1 / hh)], dim=1)  # (B, 3)
    return torch.stack([row0, row1], dim=1)  # (B, 2, 3)


def affine_grid(theta: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Sampling grid (B, 2, H, W), planar: F.affine_grid(align_corners=False) moved to dim 1."""
    xs = torch.arange(width, dtype=theta.dtype, device=theta.device).mul_(2 / width)
    ys = torch.arange(height, dtype=theta.dtype, device=theta.device).mul_(2 / height)
    xs, ys = xs.add_(1 / width - 1), ys.add_(1 / height - 1)  # pixel centres in [-1, 1]
    col = theta[:, :, 0, None, None] * xs.view(1, 1, 1, width)  # (B, 2, 1, W)
    row = theta[:, :, 1, None, None] * ys.view(1, 1, height, 1) + theta[:, :, 2, None, None]
    return row + col  # (B, 2, H, W); planar is several times faster to build than (B, H, W, 2)


def warp(x: torch.Tensor, p: AugmentParams) -> torch.Tensor:
    """Apply the affine transform and elastic flow of `p` with a single grid_sample."""
    _, _, h, w = x.shape
    grid = affine_grid(affine_theta(p, h, w).to(x), h, w)  # (B, 2, H, W) in [-1, 1]
    if p.flow is not None:  # displacement in pixels -> normalised units
        grid.addcmul_(p.flow.to(x), torch.tensor([2.0 / w, 2.0 / h], dtype=x.dtype).view(2, 1, 1))
    return F.grid_sample(x, grid.permute(0, 2, 3, 1), mode="bilinear", padding_mode="zeros",
                         align_corners=False)


def warp_uint8(images: np.ndarray, p: AugmentParams) -> np.ndarray:
    """uint8 images (N, H, W) through `warp` with the parameters `p`, rounded back to uint8."""
    x = torch.from_numpy(images.astype(np.float32)).unsqueeze(1)  # (N, 1, H, W), 0..255, a writable copy
    return warp(x, p).squeeze(1).round_().clamp_(0, 255).to(torch.uint8).numpy()


def _cross_max(x: torch.Tensor) -> torch.Tensor:
    """Maximum of each pixel and its 4 neighbours (B, C, H, W): one step of pen-like dilation."""
    p = F.pad(x, (1, 1, 1, 1), value=float("-inf"))  # (B, C, H + 2, W + 2)
    h, w = x.shape[-2:]
    out = torch.maximum(x, p[..., 0:h, 1:w + 1])  # up
    out = torch.maximum(out, p[..., 2:h + 2, 1:w + 1])  # down
    out = torch.maximum(out, p[..., 1:h + 1, 0:w])  # left
    return torch.maximum(out, p[..., 1:h + 1, 2:w + 2])  # right


def change_stroke(x: torch.Tensor, radius: torch.Tensor) -> torch.Tensor:
    """Dilate (radius > 0) or erode (radius < 0) each sample by |radius| (B,) pixels.

    Whole pixels are steps of a diamond structuring element (max or min over 4-neighbours);
    a fractional radius blends linearly between the two nearest steps.
    """
    r = radius.to(x).view(-1, 1, 1, 1)  # (B, 1, 1, 1)
    grow, size = r > 0, r.abs()
    out, dilated, eroded = x, x, x
    for k in range(1, math.ceil(float(size.max())) + 1):
        dilated_k, eroded_k = _cross_max(dilated), -_cross_max(-eroded)
        step = torch.where(grow, dilated_k - dilated, eroded_k - eroded)  # (B, C, H, W)
        out = out + (size - (k - 1)).clamp(0.0, 1.0) * step
        dilated, eroded = dilated_k, eroded_k
    return out


class Augmenter:
    """Draws per-sample transforms from a seeded generator and applies them to whole batches."""

    def __init__(self, config: AugmentConfig, seed: int = 0) -> None:
        self.config = config
        self.generator = torch.Generator().manual_seed(seed)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Augment x (B, C, H, W) float in [0, 1]; returns a new tensor of the same shape in [0, 1]."""
        if x.ndim != 4 or not x.is_floating_point():
            raise DataError(f"augmenter input has shape {tuple(x.shape)} and type {x.dtype}",
                            expected="a float tensor (B, C, H, W) in [0, 1]")
        return self.apply(x, self.sample(x.shape))

    def sample(self, shape: torch.Size | tuple[int, ...]) -> AugmentParams:
        """Draw random parameters for a batch of `shape` (B, C, H, W), advancing the generator."""
        c, g = self.config, self.generator
        b, _, h, w = shape
        u = torch.rand(b, 9, generator=g) * 2.0 - 1.0  # (B, 9) uniform in [-1, 1]
        crop = torch.randint(-c.crop_pad, c.crop_pad + 1, (b, 2), generator=g)  # (B, 2)
        lo, hi = c.scale
        shift = u[:, 1:3] * c.translate * torch.tensor([w, h]) + crop  # (B, 2) pixels
        return AugmentParams(
            angle=u[:, 0] * c.rotate, shift=shift,
            scale=lo + (hi - lo) * (u[:, 3] + 1.0) / 2.0, shear=u[:, 4] * c.shear,
            flip=(u[:, 5] + 1.0) / 2.0 < c.hflip, stroke=u[:, 8] * c.stroke,
            blur=(u[:, 6] + 1.0) / 2.0 * c.blur,
            flow=self._flow(b, h, w) if c.elastic_alpha > 0 else None,
            noise=self._noise(shape, (u[:, 7] + 1.0) / 2.0 * c.noise) if c.noise > 0 else None,
        )

    def _flow(self, b: int, h: int, w: int) -> torch.Tensor:
        """A smooth random displacement field (B, 2, H, W) whose largest value is alpha pixels."""
        sigma = self.config.elastic_sigma
        sh, sw = spread_matrix(h, sigma), spread_matrix(w, sigma)  # (H, mh), (W, mw)
        coarse = torch.rand(b, 2, sh.shape[1], sw.shape[1], generator=self.generator) * 2.0 - 1.0
        smooth = sh @ coarse @ sw.T  # (B, 2, H, W): gaussian-smoothed noise, as in Simard et al.
        peak = smooth.abs().amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-12)  # (B, 1, 1, 1)
        return smooth.mul_(self.config.elastic_alpha / peak)  # (B, 2, H, W)

    def _noise(self, shape: torch.Size | tuple[int, ...], std: torch.Tensor) -> torch.Tensor:
        """Gaussian noise (B, C, H, W) with a per-sample std (B,)."""
        return torch.randn(tuple(shape), generator=self.generator) * std.view(-1, 1, 1, 1)

    def apply(self, x: torch.Tensor, p: AugmentParams) -> torch.Tensor:
        """Apply given parameters to x (B, C, H, W): warp, stroke, blur, noise, clamp to [0, 1]."""
        y = x
        if p.moves():
            y = warp(y, p)
        if p.stroke.numel() and bool((p.stroke != 0).any()):
            y = change_stroke(y, p.stroke)
        if p.blur.numel() and float(p.blur.max()) > 0:
            y = gaussian_smooth(y, p.blur.to(y))
        if p.noise is not None:
            y = y + p.noise.to(y)
        return y.clamp(0.0, 1.0) if y is x else y.clamp_(0.0, 1.0)  # never modify the input

    def state_dict(self) -> dict[str, Any]:
        """The generator state, so a resumed run draws the same transforms."""
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state from `state_dict`."""
        self.generator.set_state(state["generator"])
