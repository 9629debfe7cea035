"""The main window: canvas in the middle, palette, inspector and dataset docks, menus, status."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import shiboken6
from PySide6.QtCore import QRectF, QSettings, QSize, Qt, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QGridLayout, QLabel, QMainWindow, QMessageBox,
                               QStackedWidget, QTabWidget, QWidget)

import nnsim
from nnsim.graph import Problem
from nnsim.gui.actions import build_menus, fill_recent_menu
from nnsim.gui.canvas.live_overlay import LiveOverlay
from nnsim.gui.canvas.scene import GraphScene
from nnsim.gui.canvas.unit_monitor import UnitMonitor
from nnsim.gui.canvas.unit_overlay import UnitOverlay
from nnsim.gui.canvas.weight_editor import WeightEditor
from nnsim.gui.canvas.view import GraphView
from nnsim.gui.concepts import ConceptsDialog
from nnsim.gui.document import Document
from nnsim.gui.files import FileController
from nnsim.gui.live.controller import TrainingController
from nnsim.gui.live.controls import TrainingControls
from nnsim.gui.live.views import LiveView, ViewContext, all_views
from nnsim.gui.panels import DatasetView, InspectorWidget, PaletteWidget
from nnsim.gui.warmup import Warmup
from nnsim.project import Project
from nnsim.training.units import MAX_DENSE_EDGE_WEIGHTS, unit_bias, with_values

VIEW_BUDGET_SECONDS = 0.012  # live-view redraw time per tick before the rest wait for the next one
CANVAS_PARTS = frozenset({"weights", "neuron_maps"})  # the canvas draws edge weights and unit thumbnails


class MainWindow(QMainWindow):
    def __init__(self, project: Project, path: Path | None = None, warm_up: bool = True,
                 restore_settings: bool = True):
        super().__init__()
        self.setObjectName("main_window")
        self.document = Document(project, path, self)
        self.scene = GraphScene(self.document, self)
        self.view = GraphView(self.scene)
        self.overlay = LiveOverlay(self.scene)  # weights on edges, unit maps under nodes, while training
        self.setCentralWidget(self.view)
        self.files = FileController(self.document, self)
        self.controller = TrainingController(self.document, self)
        self.units = UnitMonitor(self.document, self.controller, self)  # weights and outputs of neuron nets
        self.unit_overlay = UnitOverlay(self.scene)
        self.weight_editor: WeightEditor | None = None
        self._view_turn = 0
        self._build_docks()
        self._build_live_views()
        self.actions_by_name = build_menus(self)
        self._build_training_toolbar()
        self.recent_menu.aboutToShow.connect(lambda: fill_recent_menu(self, self.recent_menu))
        fill_recent_menu(self, self.recent_menu)
        self._build_status()
        self._connect()
        self._show_units()
        self.persist_settings = restore_settings
        if restore_settings:
            self._restore_settings()
        else:
            self.resize(1400, 860)
        self._update_title()
        snapshot = Project(project.graph.copy(), dict(project.dataset), dict(project.training))
        self.warmup = Warmup(snapshot, self)  # the worker never reads the live, editable graph
        self.warmup.done.connect(self._warmup_done)
        if warm_up:
            self.status_engine.setText("Compiling kernels...")
            self.warmup.start()

    # --- construction --------------------------------------------------------------------------
    def _build_docks(self) -> None:
        self.palette_widget = PaletteWidget()
        self.inspector = InspectorWidget(self.document)
        self.dataset_view = DatasetView(self.document)
        self.docks: dict[str, QDockWidget] = {}
        for key, title, widget, area in (
                ("palette", "Palette", self.palette_widget, Qt.DockWidgetArea.LeftDockWidgetArea),
                ("inspector", "Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea),
                ("dataset", "Dataset", self.dataset_view, Qt.DockWidgetArea.RightDockWidgetArea)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[key] = dock
        self.tabifyDockWidget(self.docks["inspector"], self.docks["dataset"])
        self.docks["inspector"].raise_()
        self.resizeDocks([self.docks["palette"], self.docks["inspector"]], [235, 340], Qt.Orientation.Horizontal)

    def _build_live_views(self) -> None:
        """All live views as tabs of one bottom dock: only the current tab is visible, and a hidden
        view is never redrawn."""
        context = ViewContext(project=lambda: self.document.project, selected_node=self.selected_node_name,
                              units=self.units)
        self.views: dict[str, LiveView] = {}
        self.view_tabs = QTabWidget()
        self.view_tabs.setDocumentMode(True)
        for view_class in all_views():
            view = view_class(context)
            self.views[view_class.key] = view
            self.view_tabs.addTab(view, view_class.title)
        self.view_tabs.currentChanged.connect(self._view_tab_changed)
        self.view_grid = QWidget()
        self.view_grid.setLayout(QGridLayout())
        self.view_stack = QStackedWidget()
        self.view_stack.addWidget(self.view_tabs)
        self.view_stack.addWidget(self.view_grid)
        dock = QDockWidget("Live views", self)
        dock.setObjectName("dock_live_views")
        dock.setWidget(self.view_stack)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.docks["live_views"] = dock
        dock.visibilityChanged.connect(self._update_frame_parts)
        self.resizeDocks([dock], [300], Qt.Orientation.Vertical)
        self.controls = TrainingControls(self.controller, self.document)

    def show_view(self, key: str) -> None:
        self.tile_views(False)
        self.docks["live_views"].show()
        self.view_tabs.setCurrentWidget(self.views[key])

    def tile_views(self, tiled: bool) -> None:
        """All live views side by side in a grid (True), or one tab at a time (False)."""
        if tiled == (self.view_stack.currentWidget() is self.view_grid):
            return
        views = list(self.views.values())
        if tiled:
            columns = 4 if len(views) > 6 else 3
            for i, view in enumerate(views):
                self.view_tabs.removeTab(self.view_tabs.indexOf(view))
                self.view_grid.layout().addWidget(view, i // columns, i % columns)
                view.show()
            self.view_stack.setCurrentWidget(self.view_grid)
        else:
            for view in views:
                self.view_grid.layout().removeWidget(view)
                self.view_tabs.addTab(view, type(view).title)
            self.view_stack.setCurrentWidget(self.view_tabs)
        if self.controller.latest is not None:
            self.show_frame(self.controller.latest)
        self._update_frame_parts()

    def _view_tab_changed(self, index: int) -> None:
        view = self.view_tabs.widget(index)
        frame = self.controller.latest
        if isinstance(view, LiveView) and frame is not None and _takes(view, frame):
            view.show_frame(frame)
        self._update_frame_parts()

    def _update_frame_parts(self, *_: object) -> None:
        """Tell the training thread which frame parts the canvas and the shown views draw."""
        if not hasattr(self, "views"):
            return
        if self.docks["live_views"].isHidden():
            shown = []
        elif self.view_stack.currentWidget() is self.view_grid:
            shown = list(self.views.values())
        else:
            shown = [self.view_tabs.currentWidget()]
        self.controller.set_frame_parts(CANVAS_PARTS.union(*(v.parts for v in shown if isinstance(v, LiveView))))

    def _build_training_toolbar(self) -> None:
        self.addToolBarBreak()
        toolbar = self.addToolBar("Training")
        toolbar.setObjectName("training_toolbar")
        toolbar.addWidget(self.controls)

    def selected_node_name(self) -> str | None:
        if not shiboken6.isValid(self.scene):
            return None
        ids = self.scene.selected_node_ids()
        return self.document.graph.node(ids[0]).name if len(ids) == 1 else None

    @Slot(object)
    def show_frame(self, frame) -> None:
        """Hand the newest frame to the visible views (hidden ones skip the work).

        Views take turns within a time budget per redraw tick: with many views open, one tick never
        blocks the event loop for long, and the training thread gets the GIL back quickly.
        """
        views = [v for v in self.views.values() if v.isVisible()]
        if frame is None:
            self.overlay.clear()
            for view in views:
                view.reset()
            return
        self.overlay.show_frame(frame)
        views = [v for v in views if v.frame is not frame and _takes(v, frame)]
        if not views:
            return
        start = time.perf_counter()
        first = self._view_turn % len(views)
        for i in range(len(views)):
            view = views[(first + i) % len(views)]
            view.show_frame(frame)
            self._view_turn += 1
            if time.perf_counter() - start > VIEW_BUDGET_SECONDS:
                break

    def show_frame_everywhere(self, frame) -> None:
        """Give a frame to the canvas and every view that applies, visible or not (screenshots, tests)."""
        self.overlay.show_frame(frame)
        for view in self.views.values():
            if _takes(view, frame):
                view.show_frame(frame)

    @Slot(str, object)
    def _on_diverged(self, message: str, layer) -> None:
        """Training paused itself: say why in the status bar and select the layer that blew up."""
        self.status_validation.setText(f"✗ {message}")
        self.status_validation.setStyleSheet("color: #e5484d;")
        node = next((n for n in self.document.graph if n.name == layer), None)
        if node is not None and node.id in self.scene.nodes:
            self.scene.clearSelection()
            self.scene.nodes[node.id].setSelected(True)
            self.view.centerOn(self.scene.nodes[node.id])

    def _build_status(self) -> None:
        self.status_validation = QLabel()
        self.status_engine = QLabel()
        self.statusBar().addWidget(self.status_validation, 1)
        self.statusBar().addPermanentWidget(self.status_engine)
        self.show_validation(self.document.problems)

    def _connect(self) -> None:
        doc = self.document
        doc.validation_changed.connect(self.show_validation)
        doc.modified_changed.connect(lambda *_: self._update_title())
        doc.path_changed.connect(lambda *_: self._update_title())
        doc.project_replaced.connect(self._on_project_replaced)
        self.scene.message.connect(self.show_message)
        self.scene.selectionChanged.connect(self._on_selection)
        self.scene.node_activated.connect(self._on_node_activated)
        self.scene.edge_activated.connect(self.edit_edge_weights)
        self.units.changed.connect(self._show_units)
        self.palette_widget.add_requested.connect(self._add_at_center)
        self.controller.frame_changed.connect(self.show_frame)
        self.controller.message.connect(self.show_message)
        self.controller.diverged.connect(self._on_diverged)
        self.files.recent_changed.connect(lambda: fill_recent_menu(self, self.recent_menu))

    # --- status and title ------------------------------------------------------------------------
    @Slot(list)
    def show_validation(self, problems: list[Problem]) -> None:
        if not problems:
            self.status_validation.setText("✓ The network is valid: ready to train.")
            self.status_validation.setStyleSheet("color: #2f9e44;")
        else:
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            self.status_validation.setText(f"✗ {problems[0].message}{more}")
            self.status_validation.setStyleSheet("color: #e5484d;")
            self.status_validation.setToolTip("\n".join(p.message for p in problems))

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _update_title(self) -> None:
        name = self.document.path.name if self.document.path else "Untitled"
        title = self.document.project.title
        self.setWindowTitle(f"{name}[*] — {title} — NNSim" if title else f"{name}[*] — NNSim")
        self.setWindowModified(self.document.modified)

    @Slot(str)
    def _warmup_done(self, error: str) -> None:
        self.status_engine.setText(error or "Engine ready")

    # --- selection ------------------------------------------------------------------------------
    def _on_selection(self) -> None:
        if not shiboken6.isValid(self.scene):  # the scene clears its selection while being destroyed
            return
        ids = self.scene.selected_node_ids()
        self.inspector.show_node(ids[0] if len(ids) == 1 else None)
        name = self.selected_node_name()
        for view in getattr(self, "views", {}).values():
            if view.isVisible():
                view.node_selected(name)

    # --- neuron-level networks: weights on edges, outputs on units ------------------------------------
    @Slot()
    def _show_units(self) -> None:
        self.unit_overlay.show(self.units.state)

    @Slot(object)
    def edit_edge_weights(self, edge) -> WeightEditor | None:
        """Open the inline weight editor at ``edge`` (a refusal goes to the status bar)."""
        graph = self.document.graph
        src, dst = graph.node(edge.src), graph.node(edge.dst)
        state = self.units.state
        found = state.edges.get((src.name, dst.name))
        if found is None or len(found.values) > MAX_DENSE_EDGE_WEIGHTS:
            self.show_message(self._no_weight_editor_reason(src, dst))
            return None
        if self.controller.state in ("running", "compiling") and not found.fixed:
            self.show_message("Pause training to edit a weight: while it runs, every step changes the weights.")
            return None
        if self.weight_editor is not None:
            self.weight_editor.close()
        bias = unit_bias(state.graph, state.weights, dst.name) if dst.type == "Neuron" else None
        editor = self.weight_editor = WeightEditor(found, bias, self)
        editor.applied.connect(self._apply_weight_edits)
        item = self.scene.edges.get(edge)
        middle = item.path().pointAtPercent(0.5) if item is not None else self.scene.sceneRect().center()
        editor.move(self.view.viewport().mapToGlobal(self.view.mapFromScene(middle)))
        editor.show()
        return editor

    def _no_weight_editor_reason(self, src, dst) -> str:
        if self.units.state.graph is None:
            return "Fix the network first (see the status bar): its weights can be edited once it is valid."
        if dst.type in ("Dense", "Neuron", "MPNeuron"):
            return (f"The edge {src.name} → {dst.name} carries more weights than fit an editor (over "
                    f"{MAX_DENSE_EDGE_WEIGHTS}): edit weights one by one on edges from units or small "
                    f"inputs, and watch bigger layers in the Weights view.")
        return (f"The edge {src.name} → {dst.name} carries no weights of its own: only edges into Neuron, "
                f"MPNeuron and small Dense nodes do.")

    @Slot(object, str)
    def _apply_weight_edits(self, edits: dict, text: str) -> None:
        current = self.units.state.weights
        new = with_values(current, edits)
        if all(np.array_equal(new[k], current[k]) for k in edits):
            return  # nothing changed: no undo step
        error = self.document.set_weights(new, text)
        if error:
            self.show_message(error)

    def _on_node_activated(self, node_id: str) -> None:
        self.docks["inspector"].raise_()
        self.inspector.show_node(node_id)

    def _on_project_replaced(self) -> None:
        self.overlay.clear()
        self.inspector.show_node(None)
        self._update_title()
        self.view.fit()

    def _add_at_center(self, type_name: str) -> None:
        node_id = self.view.add_at_center(type_name)
        if node_id is not None:
            self.scene.clearSelection()
            self.scene.nodes[node_id].setSelected(True)

    # --- edit actions ---------------------------------------------------------------------------
    def select_all(self) -> None:
        for item in self.scene.nodes.values():
            item.setSelected(True)

    def copy(self) -> None:
        data = self.scene.copy_selection()
        if data is None:
            return
        # Plain text, not a QMimeData of ours: the clipboard owns what it's given, and a Python-made
        # QMimeData is then freed twice at exit (a segfault after the last test).
        QGuiApplication.clipboard().setText(json.dumps({"nnsim_nodes": data}))

    def cut(self) -> None:
        self.copy()
        self.scene.delete_selection()

    def paste(self) -> None:
        try:
            data = json.loads(QGuiApplication.clipboard().text())["nnsim_nodes"]
        except (ValueError, TypeError, KeyError):
            self.show_message("The clipboard holds no NNSim nodes: copy some nodes first.")
            return
        self.scene.paste(data)

    def duplicate(self) -> None:
        data = self.scene.copy_selection()
        if data is not None:
            self.scene.paste(data)

    # --- export, help -------------------------------------------------------------------------------
    def export_canvas(self, fmt: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, f"Export canvas as {fmt.upper()}", f"network.{fmt}",
                                              f"{fmt.upper()} files (*.{fmt})")
        if path:
            self.export_canvas_to(Path(path), fmt)

    def export_canvas_to(self, path: Path, fmt: str) -> bool:
        rect = self.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        size = QSize(max(int(rect.width()), 1), max(int(rect.height()), 1))
        target = QRectF(0, 0, size.width(), size.height())
        if fmt == "svg":
            generator = QSvgGenerator()
            generator.setFileName(str(path))
            generator.setSize(size)
            generator.setViewBox(target)
            generator.setTitle(self.document.project.title or "NNSim network")
            painter = QPainter(generator)
            self.scene.render(painter, target, rect)
            painter.end()
            ok = path.is_file()
        else:
            image = QImage(size * 2, QImage.Format.Format_ARGB32)
            image.fill(Qt.GlobalColor.white)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self.scene.render(painter, QRectF(0, 0, size.width() * 2, size.height() * 2), rect)
            painter.end()
            ok = image.save(str(path))
        if not ok:
            QMessageBox.warning(self, "Export failed", f"Could not write {path}: check the folder and the name.")
        return ok

    def show_concepts(self) -> None:
        ConceptsDialog(self).exec()

    def show_about(self) -> None:
        QMessageBox.about(self, "About NNSim",
                          f"<h3>NNSim {nnsim.__version__}</h3><p>A neural-network simulator: build networks "
                          "from nodes, train them with a Numba engine, and watch them learn.</p>")

    # --- settings and closing ---------------------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def _save_settings(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.files.maybe_save():
            event.ignore()
            return
        self.controller.shutdown()
        if self.persist_settings:
            self._save_settings()
            self.files.discard_recovery()
        self.warmup.stop()
        event.accept()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not getattr(self, "_fitted", False):
            self._fitted = True
            self.view.fit()


def _takes(view: LiveView, frame) -> bool:
    """True when ``frame`` carries what ``view`` draws and the view has something to show for it."""
    return view.parts <= frame.parts and view.applies_to(frame)
