"""Training configuration: pydantic sections with commented defaults, from YAML plus --set overrides."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from inkread.core.errors import ConfigError, InkreadError
from inkread.data.augment import AugmentConfig
from inkread.data.outliers import OutlierConfig
from inkread.train.search import SearchSpace


class Section(BaseModel):
    """Base of every section: unknown keys are errors, values are checked on assignment too."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class MixPart(Section):
    """More training data, mixed into the training split of data.dataset."""

    # a catalogue name (mnist, fashion-mnist), a real-handwriting collection (cvl, pendigits, unipen,
    # uji: their training writers only), a folder of class sub-folders, or an .npz file.
    dataset: str
    # samples drawn per epoch, as a multiple of the part's size: 0.5 takes a seeded half, 2 each twice.
    weight: float = Field(default=1.0, gt=0.0)
    # samples of classes not trained: "drop" them, or "reject": train them as non-characters (needs an
    # outliers section for their loss weight). Letters written like a trained digit (O, l, S, ...,
    # inkread.data.lookalikes) are dropped either way: nobody can tell them apart alone.
    others: Literal["drop", "reject"] = "drop"


class DataConfig(Section):
    """Which data to train on and how to split it."""

    # a catalogue name (mnist, fashion-mnist), a folder of class sub-folders, or an .npz file.
    dataset: str = "mnist"
    # folder holding <dataset>/ files; None: $INKREAD_DATA, the repository's data/, the user cache.
    data_dir: str | None = None
    # share of the training set held out (stratified, seeded by run.seed) for validation.
    val_fraction: float = Field(default=0.1, ge=0.0, lt=1.0)
    # use only the first `limit` images of the training set (before the validation split) and of the
    # test set: quick runs and tests.
    limit: int | None = Field(default=None, ge=1)
    # more training data: each part's samples of data.dataset's classes join the training split
    # (validation and test stay data.dataset's), e.g. [{dataset: cvl}, {dataset: pendigits, weight: 2}].
    datasets: list[MixPart] = Field(default_factory=list)


class ModelConfig(Section):
    """Which registered model to build (see inkread.models) and its keyword options."""

    # logreg, mlp, fast_cnn, accurate_cnn, deep_cnn or baseline (the pytorch/examples network).
    name: str = "fast_cnn"
    # keyword arguments of the model's constructor, e.g. {widths: [16, 32, 64]} for fast_cnn.
    options: dict[str, Any] = Field(default_factory=dict)


class OptimConfig(Section):
    """The optimiser and its hyper-parameters."""

    name: Literal["sgd", "adam", "adamw", "adadelta"] = "adam"
    # peak learning rate (with onecycle, the maximum reached after the warm-up).
    lr: float = Field(default=0.01, gt=0.0)
    # SGD momentum (ignored by the others).
    momentum: float = Field(default=0.9, ge=0.0, lt=1.0)
    # SGD Nesterov momentum.
    nesterov: bool = True
    # L2 penalty (decoupled for adamw); applied to weight matrices and kernels, not to biases or BN.
    weight_decay: float = Field(default=5e-4, ge=0.0)
    # Adam/AdamW moment decay rates.
    betas: tuple[float, float] = (0.9, 0.999)
    # Adadelta's running-average decay (pytorch/examples uses the default 0.9).
    rho: float = Field(default=0.9, gt=0.0, lt=1.0)


class ScheduleConfig(Section):
    """How the learning rate changes during the run."""

    # none: constant; step: x gamma every step_size epochs; cosine: to min_lr over the run, per batch;
    # onecycle: warm up to optim.lr for warmup_fraction of the batches, then anneal (per batch).
    name: Literal["none", "step", "cosine", "onecycle"] = "onecycle"
    step_size: int = Field(default=1, ge=1)
    gamma: float = Field(default=0.7, gt=0.0)
    # cosine: final learning rate.
    min_lr: float = Field(default=0.0, ge=0.0)
    # onecycle: share of the batches spent warming up.
    warmup_fraction: float = Field(default=0.25, gt=0.0, lt=1.0)
    # onecycle: the start lr is lr / div_factor and the end lr is start / final_div_factor.
    div_factor: float = Field(default=25.0, gt=0.0)
    final_div_factor: float = Field(default=1e4, gt=0.0)


class TrainSection(Section):
    """The loop: length, batches, loss and speed settings."""

    epochs: int = Field(default=1, ge=1)
    batch_size: int = Field(default=128, ge=1)
    # batch size for validation and test: larger is faster, no gradients are kept.
    eval_batch_size: int = Field(default=1000, ge=1)
    # cross-entropy label smoothing (0: plain cross-entropy).
    label_smoothing: float = Field(default=0.1, ge=0.0, lt=1.0)
    # clip the global gradient norm to this value; None: no clipping.
    clip_grad_norm: float | None = Field(default=None, gt=0.0)
    # stop after this many epochs without a better validation accuracy; None: never stop early.
    # Without a validation split (data.val_fraction: 0) the last epoch is kept and nothing stops early.
    early_stopping_patience: int | None = Field(default=None, ge=1)
    # bfloat16 autocast: 1.3-1.6x faster training steps on CPUs with native bf16 (AVX512-BF16 or
    # AMX), 10x slower on others; "auto" turns it on where the CPU (or GPU) has it.
    bf16: bool | Literal["auto"] = False
    # NHWC memory layout, which oneDNN's convolutions prefer: 1.3-2x faster CNN steps here.
    channels_last: bool = True
    # torch intra-op threads; None: torch's default (one per core).
    threads: int | None = Field(default=None, ge=1)
    # torch.compile the model: minutes of compilation for a small gain on CPU, so off by default.
    compile: bool = False
    # log the training loss to TensorBoard every this many batches.
    log_every: int = Field(default=20, ge=1)
    # after training, the reject threshold is the lowest calibrated confidence at which the accepted
    # validation answers reach this accuracy; answers below it are read as "?" (not sure).
    reject_target_accuracy: float = Field(default=0.995, gt=0.0, le=1.0)
    # ... raised, when above 0, to reject at least this share of the least confident validation answers:
    # a model trained to doubt non-characters needs a threshold above its doubt (0.02: 98% accepted).
    reject_least_confident: float = Field(default=0.0, ge=0.0, lt=1.0)


class RunConfig(Section):
    """Where the run is written and its seed."""

    # folder name under out_dir; None: <model>-<YYYYmmdd-HHMMSS>.
    name: str | None = None
    out_dir: str = "runs"
    # seeds the split, the initial weights, shuffling, augmentation and dropout.
    seed: int = 0
    # log the finished run to MLflow (params, metrics, lineage, report, ONNX export): see inkread.registry.
    mlflow: bool = True


class TrainConfig(Section):
    """A whole training recipe; the defaults are the fast recipe (configs/fast.yaml)."""

    data: DataConfig = Field(default_factory=DataConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    optim: OptimConfig = Field(default_factory=OptimConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    train: TrainSection = Field(default_factory=TrainSection)
    # random transforms of the training images; None (or omitted): no augmentation.
    augment: AugmentConfig | None = None
    # non-characters (touching pairs, fragments) added to the training split with no class, so the
    # model learns low confidence on them (see inkread.data.outliers); None (or omitted): none.
    outliers: OutlierConfig | None = None
    run: RunConfig = Field(default_factory=RunConfig)
    # what `inkread tune` varies (see inkread.train.search and configs/tune-fast.yaml); training ignores it.
    search: SearchSpace | None = None

    @model_validator(mode="after")
    def _rejected_parts_need_a_weight(self) -> TrainConfig:
        """A part whose other classes are trained as non-characters needs the outliers' loss weight."""
        if self.outliers is None and any(p.others == "reject" for p in self.data.datasets):
            raise ConfigError("data.datasets has a part with others: reject, but no outliers section",
                              where="outliers", expected="an outliers section: its weight is the "
                              "non-characters' loss weight", fix="add `outliers: {pairs: 0, fragments: 0, "
                              "prepared: 0}` (or more), or set others: drop")
        return self


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed in the section that holds `loc` (its last element is the offending key)."""
    cls: Any = TrainConfig
    for part in loc[:-1]:
        field = cls.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return []
        ann = field.annotation
        cls = next((a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type)
                    and issubclass(a, BaseModel)), None)
        if cls is None:
            return []
    return list(cls.model_fields)


def _explain(exc: ValidationError, source: str) -> ConfigError:
    """Turn pydantic's first error into a ConfigError naming the key, the expectation and the fix."""
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(tuple(err["loc"]))
        return ConfigError(f"unknown key '{key}'{more}", where=source,
                           expected="keys among: " + ", ".join(allowed),
                           fix=f"remove '{key}' or correct its spelling")
    return ConfigError(f"bad value {err.get('input')!r} for '{key}'{more}", where=source,
                       expected=err["msg"].removeprefix("Input should be ").removeprefix("Value error, "),
                       fix=f"correct '{key}' (see the comments in configs/fast.yaml)")


def validate(raw: dict[str, Any], source: str) -> TrainConfig:
    """Validate a nested dict into a TrainConfig, or raise ConfigError naming `source`."""
    try:
        return TrainConfig.model_validate(raw)
    except ValidationError as exc:
        raise _explain(exc, source) from None
    except InkreadError as exc:  # raised by a section's own validator (e.g. augment.hflip)
        raise ConfigError(exc.problem, where=source, expected=exc.expected, fix=exc.fix) from None


BASE_KEY = "base"  # a recipe may build on another: `base: accurate.yaml`, relative to the recipe's folder


def read_yaml(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A YAML recipe as a dict, merged onto the recipe its `base:` names (recursively)."""
    raw = _read_mapping(path)
    base = raw.pop(BASE_KEY, None)
    if base is None:
        return raw
    if not isinstance(base, str) or not base.strip():
        raise ConfigError(f"'{BASE_KEY}: {base!r}' is not a file name", where=path,
                          expected="another recipe's path relative to this one, e.g. base: accurate.yaml")
    parent = (path.parent / base).resolve()
    if parent in seen or parent == path.resolve():
        chain = " -> ".join(str(p) for p in (*seen, path.resolve(), parent))
        raise ConfigError(f"recipes build on each other in a circle: {chain}", where=path,
                          fix=f"remove the '{BASE_KEY}:' line that closes the circle")
    return merge(read_yaml(parent, (*seen, path.resolve())), raw)


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` with `changes` laid over it: sections merge key by key; any other value (null too) and a
    model's `options` (constructor arguments that belong together) replace what the base has."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "options":
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_mapping(path: Path) -> dict[str, Any]:
    """Read one YAML file into a dict; a missing file, bad syntax or a non-mapping is a ConfigError."""
    if not path.is_file():
        raise ConfigError("config file not found", where=path, fix="pass an existing YAML file, e.g. "
                          "configs/fast.yaml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"not valid YAML{at}: {getattr(exc, 'problem', exc)}", where=path,
                          expected="a YAML mapping of sections (data, model, optim, ...)",
                          fix="correct the syntax (indentation, colons, quotes)") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"the top level is a {type(raw).__name__}", where=path,
                          expected="a mapping of sections: data, model, optim, schedule, train, augment, run")
    return raw


def apply_override(raw: dict[str, Any], assignment: str) -> None:
    """Apply one `key.sub=value` override to `raw` in place; the value is parsed as a YAML scalar."""
    key, sep, text = assignment.partition("=")
    if not sep or not key.strip() or any(not p for p in key.strip().split(".")):
        raise ConfigError(f"--set '{assignment}' is not an assignment", where="--set",
                          expected="key.sub=value, e.g. --set train.epochs=3", fix="write it as key=value")
    try:
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError:
        raise ConfigError(f"--set '{assignment}': the value '{text}' is not valid YAML", where="--set",
                          expected="a number, true/false, null, a string or [a, list]",
                          fix="quote the value or correct its brackets") from None
    parts = key.strip().split(".")
    node = raw
    for i, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise ConfigError(f"--set '{assignment}': '{'.'.join(parts[:i + 1])}' is a value, not a section",
                              where="--set", expected="a path to a key inside a section")
        node = child
    node[parts[-1]] = value


def load_config(path: str | Path | None = None, overrides: list[str] | None = None,
                base: dict[str, Any] | None = None) -> TrainConfig:
    """Defaults (or `base`), then the YAML file at `path`, then each `key=value` override, validated."""
    raw: dict[str, Any] = copy.deepcopy(base or {})
    source = "defaults"
    if path is not None:
        raw = read_yaml(Path(path))
        source = str(path)
    for assignment in overrides or []:
        apply_override(raw, assignment)
    if overrides:
        source += " with --set " + " ".join(overrides)
    return validate(raw, source)


def to_yaml(config: TrainConfig) -> str:
    """The fully resolved configuration as YAML (every key, defaults included; no empty search section)."""
    skip = {"search"} if config.search is None else None
    return yaml.safe_dump(config.model_dump(mode="json", exclude=skip), sort_keys=False)
