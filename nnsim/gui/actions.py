"""Menus, toolbar and shortcuts of the main window, built from one table of actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from nnsim.project import example_catalog

if TYPE_CHECKING:  # pragma: no cover
    from nnsim.gui.main_window import MainWindow

Std = QKeySequence.StandardKey


def make_action(window: "MainWindow", text: str, slot: Callable, shortcut: object = None, tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(shortcut if isinstance(shortcut, QKeySequence) else QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda *_: slot())
    window.addAction(action)
    return action


def build_menus(w: "MainWindow") -> dict[str, QAction]:
    a: dict[str, QAction] = {}
    files, canvas = w.files, w.view
    menu = w.menuBar().addMenu("&File")
    a["new"] = make_action(w, "&New", files.new, Std.New, "Start a new project")
    a["open"] = make_action(w, "&Open...", files.open_dialog, Std.Open, "Open a project file")
    menu.addActions([a["new"], a["open"]])
    w.examples_menu = menu.addMenu("Open &Example")
    for name, title, description in example_catalog():
        act = make_action(w, f"{name} — {title}", lambda n=name: files.open_example(n), tip=description)
        w.examples_menu.addAction(act)
    w.recent_menu = menu.addMenu("Open &Recent")
    menu.addSeparator()
    a["save"] = make_action(w, "&Save", files.save, Std.Save, "Save the project")
    a["save_as"] = make_action(w, "Save &As...", files.save_as, "Ctrl+Shift+S", "Save the project under a new name")
    menu.addActions([a["save"], a["save_as"]])
    menu.addSeparator()
    export = menu.addMenu("E&xport Canvas")
    export.addAction(make_action(w, "As &PNG...", lambda: w.export_canvas("png")))
    export.addAction(make_action(w, "As &SVG...", lambda: w.export_canvas("svg")))
    menu.addSeparator()
    a["quit"] = make_action(w, "&Quit", w.close, Std.Quit)
    menu.addAction(a["quit"])

    menu = w.menuBar().addMenu("&Edit")
    a["undo"] = w.document.undo_stack.createUndoAction(w, "&Undo")
    a["undo"].setShortcut(Std.Undo)
    a["redo"] = w.document.undo_stack.createRedoAction(w, "&Redo")
    a["redo"].setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence(Std.Redo)])
    menu.addActions([a["undo"], a["redo"]])
    menu.addSeparator()
    a["cut"] = make_action(w, "Cu&t", w.cut, Std.Cut)
    a["copy"] = make_action(w, "&Copy", w.copy, Std.Copy)
    a["paste"] = make_action(w, "&Paste", w.paste, Std.Paste)
    a["duplicate"] = make_action(w, "&Duplicate", w.duplicate, "Ctrl+D")
    a["delete"] = make_action(w, "De&lete", w.scene.delete_selection, Std.Delete)
    a["select_all"] = make_action(w, "Select &All", w.select_all, Std.SelectAll)
    menu.addActions([a[k] for k in ("cut", "copy", "paste", "duplicate", "delete")])
    menu.addSeparator()
    menu.addAction(a["select_all"])

    menu = w.menuBar().addMenu("&View")
    for dock in w.docks.values():
        menu.addAction(dock.toggleViewAction())
    menu.addSeparator()
    a["zoom_in"] = make_action(w, "Zoom &In", canvas.zoom_in, Std.ZoomIn)
    a["zoom_out"] = make_action(w, "Zoom &Out", canvas.zoom_out, Std.ZoomOut)
    a["fit"] = make_action(w, "&Fit to View", canvas.fit, "Ctrl+0")
    a["layout"] = make_action(w, "&Auto-layout", w.scene.auto_layout, "Ctrl+L", "Arrange nodes left to right by depth")
    menu.addActions([a[k] for k in ("zoom_in", "zoom_out", "fit", "layout")])
    menu.addSeparator()
    a["tile_views"] = make_action(w, "Show All Live Views &Side by Side", lambda: None, "Ctrl+T",
                                  "All live views at once in a grid, instead of one tab at a time")
    a["tile_views"].setCheckable(True)
    a["tile_views"].toggled.connect(w.tile_views)
    menu.addAction(a["tile_views"])

    menu = w.menuBar().addMenu("&Train")
    c = w.controller
    a["play"] = make_action(w, "&Play / Pause", w.controls._toggle_play, "F5", "Train continuously, or pause")
    a["step"] = make_action(w, "&Step (one batch)", c.step, "F6")
    a["step_epoch"] = make_action(w, "Step &epoch", c.step_epoch, "F7")
    a["reset"] = make_action(w, "&Reset weights", c.reset, tip="Forget the trained weights")
    a["stop"] = make_action(w, "S&top", c.stop, "Shift+F5")
    menu.addActions([a[k] for k in ("play", "step", "step_epoch", "reset", "stop")])

    menu = w.menuBar().addMenu("&Help")
    a["concepts"] = make_action(w, "&Concepts", w.show_concepts, "F1", "Every node type, activation, loss and optimizer")
    a["about"] = make_action(w, "&About NNSim", w.show_about)
    menu.addActions([a["concepts"], a["about"]])

    toolbar = w.addToolBar("Main")
    toolbar.setObjectName("main_toolbar")
    toolbar.addActions([a["new"], a["open"], a["save"]])
    toolbar.addSeparator()
    toolbar.addActions([a["undo"], a["redo"]])
    toolbar.addSeparator()
    toolbar.addActions([a["zoom_in"], a["zoom_out"], a["fit"], a["layout"]])
    return a


def fill_recent_menu(w: "MainWindow", menu: QMenu) -> None:
    menu.clear()
    recent = w.files.recent_files()
    for path in recent:
        menu.addAction(make_action(w, str(path), lambda p=path: w.files.open_path(p)))
    if recent:
        menu.addSeparator()
        menu.addAction(make_action(w, "Clear List", w.files.clear_recent))
    menu.setEnabled(bool(recent))
