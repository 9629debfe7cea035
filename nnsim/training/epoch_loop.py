"""The epoch loop every trainer shares: run, run_epoch and speed accounting around its ``step``.

A trainer (backprop :class:`~nnsim.training.trainer.Trainer`, contrastive divergence
:class:`~nnsim.training.rbm_trainer.RBMTrainer`) implements ``step(max_steps, max_epochs)``, which
may end several epochs and lists their reports in ``reports``; this mixin turns it into whole runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from nnsim.training.trainer import EpochReport


class EpochLoop:
    epoch: int
    settings: dict[str, Any]
    history: dict[str, list]
    reports: list[EpochReport]
    steps_per_second: float
    _train_time: float
    _train_steps: int
    _step_seconds: float

    def step(self, max_steps: int | None = None, max_epochs: int | None = None) -> EpochReport | None:
        raise NotImplementedError

    def _account(self, elapsed: float, done: int, adapt: bool) -> None:
        self._train_time += elapsed
        self._train_steps += done
        if self._train_time > 0:
            self.steps_per_second = self._train_steps / self._train_time
        if adapt and done and elapsed > 0:
            self._step_seconds = elapsed / done

    def run_epoch(self) -> EpochReport:
        while True:
            report = self.step(max_epochs=1)
            if report is not None:
                return report

    def run(self, epochs: int | None = None, on_epoch: Callable[[EpochReport], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> dict[str, list]:
        """Train ``epochs`` more epochs (default: the settings' epochs minus those already done)."""
        todo = epochs if epochs is not None else max(self.settings["epochs"] - self.epoch, 0)
        target = self.epoch + todo
        while self.epoch < target:
            if should_stop is not None and should_stop():
                break
            self.step(max_epochs=1 if should_stop is not None else target - self.epoch)  # stop between epochs
            if on_epoch is not None:
                for report in self.reports:
                    on_epoch(report)
        return self.history
