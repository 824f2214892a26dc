"""The paper: which side of it the ink lies on, its slowly varying level and the noise on it."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

# Blocks per shorter side for the paper estimate: coarse enough that every block neighbourhood
# holds some paper (a stroke is ~1/7 of a character), fine enough to follow lighting and shadows.
BLOCKS = 6
# MAD -> standard deviation for gaussian noise.
MAD_TO_STD = 1.4826
# The 95th percentile of a gaussian lies this many standard deviations above its median.
UPPER_95 = 1.645
# The noise is never taken below this: an 8-bit file holds steps of 1/255.
MIN_SIGMA = 1.0 / 255.0
# Pixels within this of the paper estimate stay paper while it is refined, loose at first.
LOOSE, TIGHT = 0.05, 0.03
# Regions wider than this fraction of the shorter side either way are paper (in shadow), not ink.
OPENING = 0.5
# The paper level is fitted on a copy whose longer side is at most this many pixels.
FIT_SIDE = 72
# A border whose median absolute deviation is below this is taken to be plain paper.
EVEN_BORDER = 0.05
# A character cropped tight is framed with paper of its own level, MARGIN of the longer side wide.
# It shows as two grey levels at least MIN_GAP apart that explain MIN_ETA of the variance (Otsu's
# separability), the brighter covering INK_SHARE of the image in strokes: eroded by STROKE of the
# shorter side, at most THICK of it is left (a shadow or a lighting ramp keeps 0.7 or more).
MARGIN, MIN_GAP, MIN_ETA, INK_SHARE, STROKE, THICK = 0.25, 0.25, 0.75, (0.1, 0.9), 0.1, 0.55
# Paper of one exact grey (within half an 8-bit step) covering this share of the image is flat:
# a drawing or a digital canvas, whose level needs no fitting.
FLAT_STEP, FLAT_SHARE = 0.5 / 255.0, 0.5


def block_size(shape: tuple[int, ...]) -> int:
    """Side in pixels of the square blocks the paper level is estimated on."""
    return max(3, round(min(shape[0], shape[1]) / BLOCKS))


def _blocks(x: np.ndarray, b: int, mode: Literal["edge", "constant"]) -> np.ndarray:
    """Pad (H, W) to multiples of b (np.pad `mode`) and view it as (H/b, W/b, b*b) blocks."""
    h, w = x.shape
    ph, pw = math.ceil(h / b) * b, math.ceil(w / b) * b
    padded = np.pad(x.astype(np.float32, copy=False), ((0, ph - h), (0, pw - w)), mode=mode)
    return padded.reshape(ph // b, b, pw // b, b).transpose(0, 2, 1, 3).reshape(ph // b, pw // b, b * b)


def upsample(small: np.ndarray, b: int, shape: tuple[int, ...]) -> np.ndarray:
    """Bilinear upsampling of a per-block grid (h, w) whose cells are b px wide back to (H, W)."""
    big = Image.fromarray(small.astype(np.float32), mode="F")
    big = big.resize((small.shape[1] * b, small.shape[0] * b), Image.Resampling.BILINEAR)
    return np.asarray(big, dtype=np.float32)[:shape[0], :shape[1]]


def coarse_level(x: np.ndarray, q: float) -> np.ndarray:
    """The q-th percentile of each block, median-filtered over 3x3 blocks, upsampled to (H, W)."""
    b = block_size(x.shape)
    grid = np.percentile(_blocks(x, b, "edge"), q, axis=2)  # (h, w)
    grid = ndi.median_filter(grid, size=3, mode="nearest")  # blocks full of ink are outvoted
    return upsample(grid, b, x.shape)


def ink_is_dark(gray: np.ndarray) -> bool:
    """True when the ink is darker than the paper: the stronger departure from the paper wins.

    The paper is the image's border when that is even (a character seldom touches it), else
    the local median, which a photo's table or shadow at the border cannot mislead.
    """
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    paper = float(np.median(border))
    if float(np.median(np.abs(border - paper))) < EVEN_BORDER:
        d = gray - paper
    else:
        d = gray - coarse_level(gray, 50.0)
    d = ndi.uniform_filter(d, size=3, mode="nearest")  # isolated noisy pixels do not decide
    return bool(-d.min() > d.max())


def two_levels(x: np.ndarray) -> float:
    """Otsu's threshold between the two grey levels of x (H, W) in [0, 1]: paper and ink."""
    counts, edges = np.histogram(x, bins=256, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2.0
    w0 = np.cumsum(counts)  # (256,) pixels at or below each level
    m0 = np.cumsum(counts * centres)
    w1, m1 = w0[-1] - w0, m0[-1] - m0
    between = w0 * w1 * (m0 / np.maximum(w0, 1) - m1 / np.maximum(w1, 1)) ** 2  # (256,)
    return float(centres[int(np.argmax(between))])


def cropped_to_ink(x: np.ndarray) -> bool:
    """Whether ink-bright x (H, W) looks like a character cropped to its ink (little or no paper)."""
    t = two_levels(x)
    ink = x > t  # (H, W)
    share = float(ink.mean())
    if not INK_SHARE[0] <= share <= INK_SHARE[1]:
        return False
    gap = float(x[ink].mean() - x[~ink].mean())
    eta = share * (1.0 - share) * gap * gap / max(float(x.var()), 1e-12)
    r = max(1, round(STROKE * min(x.shape)))
    # erosion by a (2r+1)² square, as a separable minimum filter: linear in pixels whatever r is
    core = ndi.minimum_filter(ink.view(np.uint8), size=2 * r + 1, mode="constant", cval=1)
    return gap >= MIN_GAP and eta >= MIN_ETA and float(core.sum()) <= THICK * float(ink.sum())


def framed(x: np.ndarray) -> tuple[np.ndarray, int]:
    """Ink-bright x (H, W) framed with paper at the level of its darker grey mode, and the frame's
    width in pixels: a character cropped tight, given back the margin a page would have."""
    t = two_levels(x)
    pad = max(2, round(MARGIN * max(x.shape)))
    return np.pad(x, pad, constant_values=float(np.median(x[x <= t]))), pad


def noise_sigma(residual: np.ndarray, upper_tail: bool = True) -> float:
    """Robust standard deviation of a residual (N,): MAD, or the spread above the median if larger.

    Only pixels known to be paper may use `upper_tail`: among all pixels that tail is the ink.
    """
    if residual.size == 0:
        return MIN_SIGMA
    step = max(1, residual.size // 200_000)  # 200k samples pin it down to ~0.3%
    r = residual[::step]
    mid, top = (float(v) for v in np.percentile(r, [50.0, 95.0]))
    mad = float(np.median(np.abs(r - mid)))
    # The spread towards the ink side: grain that only darkens paper has a MAD near zero.
    upper = (top - mid) / UPPER_95 if upper_tail else 0.0
    return max(MAD_TO_STD * mad, upper, MIN_SIGMA)


def paper_sigma(residual: np.ndarray) -> float:
    """Noise sigma of the paper from residuals (N,) of ink-bright x over its level, ink included.

    Ink only raises the residual, so the side below the level is paper alone: its spread stays
    honest when ink covers half the image (a character cropped tight), where the MAD of all
    pixels would take the ink for noise.
    """
    r = residual[::max(1, residual.size // 200_000)]  # as noise_sigma: a sample pins the median down
    below = -r[r <= 0.0]
    below_sigma = MAD_TO_STD * float(np.median(below)) if below.size else MIN_SIGMA
    return max(min(noise_sigma(residual, upper_tail=False), below_sigma), MIN_SIGMA)


def normalized_smooth(x: np.ndarray, weight: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Gaussian average of x over the weighted (paper) pixels only: ink holes are filled from around.

    Done on a grid pooled by a quarter block, so its cost does not grow with the blur radius.
    """
    b = block_size(x.shape)
    f = max(1, b // 4)
    pooled_w = _blocks(weight.astype(np.float32), f, "constant").mean(axis=2)  # (h, w)
    pooled_xw = _blocks(x * weight, f, "constant").mean(axis=2)
    sigma = b / f
    den = ndi.gaussian_filter(pooled_w, sigma, mode="constant")
    num = ndi.gaussian_filter(pooled_xw, sigma, mode="constant")
    known = den > 1e-3  # too far from any paper pixel: keep the coarse estimate
    level = upsample(np.where(known, num / np.maximum(den, 1e-3), 0.0), f, x.shape)
    mask = upsample(known.astype(np.float32), f, x.shape) > 0.999
    return np.where(mask, level, fallback).astype(np.float32)


def smooth_trend(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Least-squares quadratic surface (H, W) through x over the weighted pixels: lighting, vignetting.

    Exact out to the borders, where a local average would lean towards the inside.
    """
    h, w = x.shape
    ys, xs = np.nonzero(weight)
    if ys.size < 6:
        return np.full(x.shape, float(np.median(x)), dtype=np.float32)
    step = max(1, ys.size // 10_000)  # a subsample pins six coefficients down
    ys, xs = ys[::step], xs[::step]
    u, v = xs / w - 0.5, ys / h - 0.5
    design = np.stack([np.ones_like(u), u, v, u * u, u * v, v * v], axis=1)  # (n, 6)
    # normal equations (6 x 6), a little ridge for paper seen only in one corner
    gram = design.T @ design + 1e-6 * len(u) * np.eye(6)
    coef = np.linalg.solve(gram, design.T @ x[ys, xs].astype(np.float64))
    gu = (np.arange(w) / w - 0.5)[None, :]
    gv = (np.arange(h) / h - 0.5)[:, None]
    return (coef[0] + coef[1] * gu + coef[2] * gv + coef[3] * gu * gu + coef[4] * gu * gv
            + coef[5] * gv * gv).astype(np.float32)


def _fit_level(x: np.ndarray, iterations: int) -> np.ndarray:
    """Paper level (h, w) of x (h, w): a quadratic trend plus a local correction (shadows), both
    fitted to the pixels taken for paper, which are refined as the level improves."""
    coarse = coarse_level(x, 30.0)  # ink is bright here, so a low percentile is paper
    residual = x - coarse
    paper = residual < max(3.0 * paper_sigma(residual.ravel()), LOOSE)
    level = coarse
    for _ in range(iterations):
        trend = smooth_trend(x, paper)
        level = trend + normalized_smooth(x - trend, paper, np.zeros_like(trend))
        residual = x - level
        paper = residual < max(3.0 * noise_sigma(residual[paper]), TIGHT)
    return level


def flat_paper(x: np.ndarray) -> float | None:
    """The paper's level when it is one exact grey (a drawing, a digital canvas, an MNIST array), else None.

    Such paper has an even border and covers at least FLAT_SHARE of the image at exactly that grey:
    no lighting, grain or noise to model, so `paper_level` returns it at once.
    """
    border = np.concatenate([x[0], x[-1], x[:, 0], x[:, -1]])
    lo, hi = float(border.min()), float(border.max())
    if hi - lo > FLAT_STEP:
        return None
    level = float(np.median(border))
    if float(np.count_nonzero(np.abs(x - level) <= FLAT_STEP)) < FLAT_SHARE * x.size:
        return None
    return level


def paper_level(x: np.ndarray, iterations: int = 1) -> tuple[np.ndarray, float]:
    """Paper level (H, W) under light-on-dark ink x (H, W), and the noise sigma on the paper.

    The paper varies slowly, so its level is fitted on a copy shrunk to FIT_SIDE px (each pixel
    the 25th percentile of its block: paper wherever a block holds some), then enlarged.
    """
    flat = flat_paper(x)
    if flat is not None:  # nothing to fit: the noise is an 8-bit step at most
        return np.full(x.shape, flat, dtype=np.float32), MIN_SIGMA
    f = max(1, math.ceil(max(x.shape) / FIT_SIDE))
    small = x if f == 1 else np.percentile(_blocks(x, f, "edge"), 25.0, axis=2).astype(np.float32)
    level = _fit_level(small, iterations)
    level = level if f == 1 else upsample(level, f, x.shape)
    # A shadow's sharp edge is a step no smooth surface follows; a grey opening wider than any
    # stroke does: it keeps every bright region too wide to be ink (in ink-bright x).
    side = max(3, round(min(x.shape) * OPENING))
    level = np.maximum(level, ndi.grey_opening(x, size=(side, side)))
    residual = x - level  # (H, W) at full resolution: the noise is measured here
    paper = residual < max(3.0 * paper_sigma(residual.ravel()), TIGHT)
    level = level + float(np.median(residual[paper]))  # the block percentile sits a little low
    residual = x - level
    return level, noise_sigma(residual[residual < max(3.0 * noise_sigma(residual[paper]), TIGHT)])
