"""The `nnsim` command, built on the public API only (nnsim.project, nnsim.training)."""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import nnsim
from nnsim.core.errors import NNSimError

log = logging.getLogger("nnsim")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nnsim", description="NNSim: build, train and watch neural networks.")
    parser.add_argument("--version", action="version", version=f"nnsim {nnsim.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("examples", help="list the bundled examples")

    train = sub.add_parser("train", help="train a project or example headlessly")
    src = train.add_mutually_exclusive_group(required=True)
    src.add_argument("file", nargs="?", help="a .nnsim project file")
    src.add_argument("--example", metavar="NAME", help="a bundled example (see `nnsim examples`)")
    train.add_argument("--epochs", type=_positive_int, help="epochs to train (default: the project's)")
    train.add_argument("--batch-size", type=_non_negative_int, help="samples per update (0 = full batch)")
    train.add_argument("--lr", type=_positive_float, help="learning rate")
    train.add_argument("--seed", type=_non_negative_int, help="random seed (weights, shuffling, dropout)")
    train.add_argument("--out", metavar="FILE", help="save the trained project (weights and history) here")
    train.add_argument("--metrics", metavar="PATH", help="write final metrics as JSON here")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    check = sub.add_parser("check", help="validate a project and print its layers")
    check.add_argument("file", help="a .nnsim project file")

    shot = sub.add_parser("screenshot", help="render the main window offscreen to a PNG")
    shot_src = shot.add_mutually_exclusive_group(required=True)
    shot_src.add_argument("file", nargs="?", help="a .nnsim project file")
    shot_src.add_argument("--example", metavar="NAME", help="a bundled example")
    shot.add_argument("--out", required=True, metavar="PNG", help="where to write the picture")
    shot.add_argument("--size", type=_size, default=(1600, 1000), metavar="WxH", help="window size (default 1600x1000)")
    shot.add_argument("--train-epochs", type=_non_negative_int, default=0, metavar="N",
                      help="train N epochs first, then show every live view populated (one PNG per view too)")

    bench = sub.add_parser("bench", help="measure training speed (optionally against PyTorch)")
    bench.add_argument("--vs-torch", action="store_true", help="also time the same networks in PyTorch")
    bench.add_argument("--json", metavar="PATH", help="write the results as JSON here")
    bench.add_argument("--jit", action="store_true", help="also time `nnsim train --example xor` cold and warm")
    bench.add_argument("--seconds", type=_positive_float, default=None,
                       help="time per measurement (default 2; 10 with --gui)")
    bench.add_argument("--case", action="append", metavar="NAME", help="run only this case (repeatable)")
    bench.add_argument("--editor", action="store_true", help="time the editor: start-up and a 200-node canvas frame")
    bench.add_argument("--gui", action="store_true",
                       help="train spiral and digits-cnn inside the window with every live view open")
    return parser


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 1600x1000") from None
    if not (1000 <= w <= 8000 and 600 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"{text!r} is outside 1000x600 to 8000x8000")
    return w, h


def _positive_int(text: str) -> int:
    return _number(text, int, lambda v: v > 0, "a whole number above 0")


def _non_negative_int(text: str) -> int:
    return _number(text, int, lambda v: v >= 0, "a whole number of 0 or more")


def _positive_float(text: str) -> float:
    return _number(text, float, lambda v: v > 0 and math.isfinite(v), "a number above 0")


def _number(text: str, kind: type, ok: Any, what: str) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
    if not ok(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
    return value


COMMANDS = ("examples", "train", "check", "screenshot", "bench")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (len(argv) == 1 and _looks_like_project(argv[0])):
        return _run_app(argv[0] if argv else None)  # `nnsim` or `nnsim FILE`: the desktop app
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handler = {"examples": cmd_examples, "train": cmd_train, "check": cmd_check, "bench": cmd_bench,
               "screenshot": cmd_screenshot}[args.command]
    try:
        return handler(args)
    except NNSimError as err:
        print(f"nnsim: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nnsim: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug: keep the traceback out of the user's face, but keep it
        path = Path(tempfile.gettempdir()) / "nnsim-error.log"
        logging.basicConfig(filename=path, level=logging.ERROR)
        log.exception("unexpected error in `nnsim %s`", " ".join(argv or sys.argv[1:]))
        print(f"nnsim: internal error; details were written to {path}. Please report it.", file=sys.stderr)
        return 1


def _looks_like_project(arg: str) -> bool:
    """`nnsim FILE` opens FILE in the app; any other lone word is a (mistyped) command."""
    return arg not in COMMANDS and not arg.startswith("-") and (arg.endswith(".nnsim") or Path(arg).is_file())


def _run_app(path: str | None) -> int:
    from nnsim.gui.app import run

    return run(path)


# --- examples -------------------------------------------------------------------------------------
def cmd_examples(args: argparse.Namespace) -> int:
    from nnsim.project import example_catalog

    catalog = example_catalog()
    width = max((len(name) for name, _, _ in catalog), default=0) + 2
    for name, title, _ in catalog:
        print(f"{name:<{width}}{title}")
    return 0


# --- train ------------------------------------------------------------------------------------------
def cmd_train(args: argparse.Namespace) -> int:
    from nnsim.project import Project

    project = Project.example(args.example) if args.example else Project.load(args.file)
    overrides = {"epochs": args.epochs, "batch_size": args.batch_size, "learning_rate": args.lr, "seed": args.seed}
    project.set_training({**project.training, **{k: v for k, v in overrides.items() if v is not None}})
    label = args.example or Path(args.file).name
    show = not args.quiet
    if show:
        print(f"Compiling {label}...", file=sys.stderr, flush=True)
    trainer = project.trainer(keep_history=False)
    epochs = project.training["epochs"]
    progress = PhaseProgress(epochs, enabled=show)
    start = time.perf_counter()
    trainer.run(epochs, on_epoch=progress.update)
    progress.close()
    elapsed = time.perf_counter() - start
    project.capture(trainer)
    summary = final_metrics(trainer, epochs, project.training["seed"])
    print_summary(label, summary, elapsed)
    if args.out:
        project.save(args.out)
        print(f"Saved the trained project to {args.out}")
    if args.metrics:
        _write_json(args.metrics, summary)
    return 0


def final_metrics(trainer: Any, epochs: int, seed: int) -> dict[str, Any]:
    """Loss (a graph ending in an RBM: its reconstruction error) and accuracy; per pretrained node its
    last reconstruction errors under "pretrain"."""
    train, test = trainer.evaluate("train"), trainer.evaluate("test")
    pretrained = {}
    for phase in getattr(trainer, "phases", []):
        if phase.kind == "pretrain":
            history = trainer.history
            last = {key: (history[f"pretrain/{phase.node}/{key}"] or [None])[-1] for key in ("train_loss", "test_loss")}
            pretrained[phase.node] = {"epochs": phase.epoch, **last}
    return {
        "epochs": epochs,
        "seed": seed,
        "train_loss": train["loss"],
        "test_loss": test["loss"],
        "train_accuracy": train["accuracy"],
        "test_accuracy": test["accuracy"],
        "test_rmse": test["rmse"],
        "test_r2": test["r2"],
        "steps": trainer.updates,
        "steps_per_second": trainer.steps_per_second,
        **({"pretrain": pretrained} if pretrained else {}),
    }


def print_summary(label: str, m: dict[str, Any], elapsed: float) -> None:
    print(f"Trained {label}: {m['epochs']} epochs, {m['steps']} updates in {elapsed:.1f} s "
          f"({m['steps_per_second']:,.0f} updates/s)")
    rows = [("loss", m["train_loss"], m["test_loss"]), ("accuracy", m["train_accuracy"], m["test_accuracy"])]
    if m["test_rmse"] is not None:
        rows = [rows[0], ("test RMSE", None, m["test_rmse"]), ("test R²", None, m["test_r2"])]
    print(f"  {'':<10} {'train':>10} {'test':>10}")
    for name, train, test in [r for r in rows if r[1] is not None or r[2] is not None]:
        fmt = (lambda v: "" if v is None else (f"{v:.2%}" if name == "accuracy" else f"{v:.4g}"))
        print(f"  {name:<10} {fmt(train):>10} {fmt(test):>10}")
    for node, losses in m.get("pretrain", {}).items():
        errors = ", ".join(f"{losses[k]:.4g} {split}" for k, split in (("train_loss", "train"), ("test_loss", "test"))
                           if losses[k] is not None)
        print(f"  pretrained '{node}' for {losses['epochs']} epochs: reconstruction error {errors}")


def _write_json(path: str, data: Any) -> None:
    try:
        Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        raise NNSimError(f"Can't write {path}: {err.strerror}. Choose another path.") from None


class ProgressBar:
    """One status line on stderr: epoch bar, latest loss/accuracy, ETA; at most ~10 redraws a second."""

    def __init__(self, total: int, enabled: bool = True, width: int = 28):
        self.total, self.enabled, self.width = total, enabled, width
        self.start: float | None = None  # set after epoch 1, so JIT compilation doesn't skew the ETA
        self.last = 0.0
        self.tty = sys.stderr.isatty()

    def update(self, epoch: int, metrics: dict[str, Any]) -> None:
        now = time.perf_counter()
        if self.start is None:
            self.start, self.first = now, epoch
        if not self.enabled or (now - self.last < (0.1 if self.tty else 5.0) and epoch < self.total):
            return
        self.last = now
        done = epoch / self.total
        rate = (epoch - self.first) / (now - self.start) if now > self.start else 0.0
        eta_text = f" ETA {(self.total - epoch) / rate:4.0f}s" if rate > 0 else ""
        filled = int(self.width * done)
        acc = metrics.get("test_accuracy", metrics.get("train_accuracy"))
        acc_text = f" acc {acc:.1%}" if acc is not None else ""
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] epoch {epoch}/{self.total} "
                f"loss {metrics['train_loss']:.4g}{acc_text}{eta_text}")
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled and self.tty:
            print(file=sys.stderr)


class PhaseProgress:
    """A progress bar per training phase: each pretraining phase, then fine-tuning (or one bar, unphased)."""

    def __init__(self, epochs: int, enabled: bool = True):
        self.epochs, self.enabled = epochs, enabled
        self.bar: ProgressBar | None = None
        self.phase: tuple[str, str | None] | None = None

    def update(self, report: Any) -> None:
        phase = report.phase
        key = None if phase is None else (phase.kind, phase.node)
        if self.bar is None or key != self.phase:
            self.close()
            self.phase = key
            if phase is not None and self.enabled:
                print(describe_phase(phase), file=sys.stderr, flush=True)
            total = phase.epochs if phase is not None and phase.kind == "pretrain" else self.epochs
            self.bar = ProgressBar(total, enabled=self.enabled)
        self.bar.update(report.epoch, report.metrics)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def describe_phase(phase: Any) -> str:
    """One line naming a phase, e.g. "Phase 1/3: pretraining 'rbm1' without labels (20 epochs)"."""
    what = {"pretrain": f"pretraining '{phase.node}' without labels (loss: reconstruction error)",
            "unsupervised": f"training '{phase.node}' without labels (loss: reconstruction error)",
            "fine-tune": "fine-tuning the whole network by backprop on the labels"}[phase.kind]
    return f"Phase {phase.index}/{phase.count}: {what}"


# --- check ------------------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    from nnsim.project import Project

    project = Project.load(args.file)
    data = project.load_dataset()
    resolved = project.graph.resolve(tuple(data.input_shape))
    counts = project.graph.param_counts(tuple(data.input_shape))
    by_name = {n.name: n.id for n in project.graph}
    rows = [(n.name, n.type, "x".join(map(str, n.out_shape)), counts.get(by_name[n.name], 0)) for n in resolved.nodes]
    width = max(len(r[0]) for r in rows) + 2
    print(f"{Path(args.file).name}: valid. Dataset '{project.dataset['name']}' ({data.n_train} train, "
          f"{data.n_test} test samples); loss {project.training['loss']}, optimizer {project.training['optimizer']}.")
    print(f"{'layer':<{width}}{'type':<14}{'output shape':<16}{'parameters':>12}")
    for name, type_, shape, count in rows:
        print(f"{name:<{width}}{type_:<14}{shape:<16}{count:>12,}")
    print(f"{'total':<{width}}{'':<14}{'':<16}{sum(r[3] for r in rows):>12,}")
    return 0


# --- screenshot -------------------------------------------------------------------------------------
def cmd_screenshot(args: argparse.Namespace) -> int:
    from nnsim.gui.app import screenshot
    from nnsim.project import Project

    project = Project.example(args.example) if args.example else Project.load(args.file)
    written = screenshot(project, args.out, args.size, None if args.example else Path(args.file), args.train_epochs)
    for path in written:
        print(f"Wrote {path}")
    return 0


# --- bench ------------------------------------------------------------------------------------------
def cmd_bench(args: argparse.Namespace) -> int:
    from nnsim import bench

    if args.gui:
        from nnsim.gui import bench_live

        rows = bench_live.run(echo=print, seconds=args.seconds or 10.0,
                              cases=tuple(args.case) if args.case else bench_live.CASES)
        if args.json:
            _write_json(args.json, rows)
        return 0
    if args.editor:
        from nnsim.gui import bench_editor

        result = bench_editor.run(echo=print)
        if args.json:
            _write_json(args.json, result)
        return 0

    rows = bench.run_cases(vs_torch=args.vs_torch, seconds=args.seconds or 2.0, echo=print, names=args.case)
    if args.jit:
        bench.print_jit(bench.jit_times(), echo=print)
    if args.json:
        _write_json(args.json, rows)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
