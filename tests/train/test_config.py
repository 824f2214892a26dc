"""Configuration: defaults equal the fast recipe, recipes load, and every mistake names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from inkread.core.errors import ConfigError
from inkread.train.config import TrainConfig, load_config
from tests.conftest import REPO, run_cli

RECIPES = sorted((REPO / "configs").glob("*.yaml"))


def test_defaults_are_the_fast_recipe() -> None:
    assert load_config(REPO / "configs" / "fast.yaml") == TrainConfig()


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.stem)
def test_recipes_load(recipe: Path) -> None:
    cfg = load_config(recipe)
    assert cfg.model.name in {"fast_cnn", "accurate_cnn", "deep_cnn", "baseline", "mlp", "logreg"}


def test_baseline_recipe_is_the_pytorch_examples_setup() -> None:
    cfg = load_config(REPO / "configs" / "baseline.yaml")
    assert (cfg.optim.name, cfg.optim.lr) == ("adadelta", 1.0)
    assert (cfg.schedule.name, cfg.schedule.step_size, cfg.schedule.gamma) == ("step", 1, 0.7)
    assert (cfg.train.batch_size, cfg.train.epochs, cfg.augment) == (64, 14, None)


def test_set_overrides_parse_yaml_scalars_and_create_sections() -> None:
    cfg = load_config(None, ["train.epochs=3", "optim.betas=[0.8, 0.9]", "train.clip_grad_norm=null",
                             "augment.rotate=5", "model.options.widths=[8, 16, 32]"])
    assert cfg.train.epochs == 3 and cfg.optim.betas == (0.8, 0.9) and cfg.train.clip_grad_norm is None
    assert cfg.augment is not None and cfg.augment.rotate == 5.0
    assert cfg.model.options == {"widths": [8, 16, 32]}


def test_unknown_key_names_it_and_the_allowed_keys(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("train:\n  epochz: 3\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    msg = err.value.render()
    assert "train.epochz" in msg and "batch_size" in msg and str(path) in msg


def test_bad_value_names_key_and_expectation() -> None:
    with pytest.raises(ConfigError, match=r"train\.epochs.*greater than or equal to 1"):
        load_config(None, ["train.epochs=0"])
    with pytest.raises(ConfigError, match=r"optim\.name"):
        load_config(None, ["optim.name=lbfgs"])


@pytest.mark.parametrize("text, needle", [
    ("train: [epochs\n", "not valid YAML at line"),
    ("- 1\n- 2\n", "top level is a list"),
])
def test_bad_yaml(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=needle):
        load_config(path)


@pytest.mark.parametrize("assignment, needle", [
    ("train.epochs", "not an assignment"),
    ("train.epochs=[1,", "not valid YAML"),
    ("train.epochs=2 train.epochs.x=1", "is a value, not a section"),
    ("trian.epochs=1", "unknown key 'trian'"),
])
def test_bad_set(assignment: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_config(None, assignment.split(" "))


def test_augment_flip_refusal_becomes_a_config_error() -> None:
    with pytest.raises(ConfigError, match="hflip"):
        load_config(None, ["augment.hflip=0.5"])


@pytest.mark.parametrize("args, needle", [
    (["--set", "train.epochz=3"], "unknown key 'train.epochz'"),
    (["--set", "train.batch_size=-1"], "train.batch_size"),
    (["--set", "train.epochs"], "not an assignment"),
    (["--config", "missing.yaml"], "config file not found"),
])
def test_cli_config_errors_exit_2_without_traceback(args: list[str], needle: str) -> None:
    r = run_cli("train", *args)
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr and "Traceback" not in r.stderr


def test_cli_bad_yaml_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("model:\n  name: fast_cnn\n   options: {}\n")
    r = run_cli("train", "--config", str(path))
    assert r.returncode == 2 and "not valid YAML" in r.stderr and "Traceback" not in r.stderr


def test_bf16_auto_follows_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    from inkread.core import hardware
    from inkread.train.step import StepSettings

    cfg = load_config(None, ["train.bf16=auto"])
    for flags, expected in ((frozenset({"avx2", "avx512_bf16"}), True), (frozenset({"avx2"}), False)):
        monkeypatch.setattr(hardware, "cpu_flags", lambda flags=flags: flags)
        assert StepSettings.from_config(cfg.train).bf16 is expected
    assert StepSettings.from_config(load_config(None, ["train.bf16=true"]).train).bf16 is True
    with pytest.raises(ConfigError, match=r"train\.bf16"):
        load_config(None, ["train.bf16=sometimes"])


def test_cpu_flags_are_read_from_proc_cpuinfo() -> None:
    import platform

    from inkread.core.hardware import cpu_flags

    flags = cpu_flags()
    if Path("/proc/cpuinfo").exists() and platform.machine() in ("x86_64", "AMD64"):
        assert "fpu" in flags  # every x86 CPU lists fpu
    else:
        assert isinstance(flags, frozenset)


def test_a_recipe_builds_on_its_base(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("model: {name: mlp, options: {hidden: [64]}}\n"
                                     "train: {epochs: 5, batch_size: 32}\naugment: {rotate: 5.0}\n")
    (tmp_path / "b.yaml").write_text("base: a.yaml\ntrain: {epochs: 7}\nmodel: {options: {dropout: 0.1}}\n"
                                     "augment: null\n")
    cfg = load_config(tmp_path / "b.yaml", ["train.batch_size=16"])
    assert (cfg.train.epochs, cfg.train.batch_size) == (7, 16)  # changed here, then by --set
    assert cfg.model.name == "mlp" and cfg.model.options == {"dropout": 0.1}  # options replace whole
    assert cfg.augment is None  # null removes the base's section


def test_reader_recipe_is_accurate_with_its_differences() -> None:
    accurate, reader = load_config(REPO / "configs/accurate.yaml"), load_config(REPO / "configs/reader.yaml")
    assert reader.model.name == accurate.model.name == "accurate_cnn"
    assert reader.optim == accurate.optim and reader.schedule == accurate.schedule
    assert reader.data.val_fraction == 0.1 and reader.outliers is not None and accurate.outliers is None
    assert "base" not in reader.model_dump()  # the resolved config, as saved beside checkpoints


@pytest.mark.parametrize(("text", "needle"), [("base: b.yaml\n", "circle"), ("base: 3\n", "not a file name"),
                                              ("base: missing.yaml\n", "config file not found")])
def test_bad_base_is_a_config_error(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text("base: a.yaml\n")
    with pytest.raises(ConfigError, match=needle):
        load_config(tmp_path / "a.yaml")
