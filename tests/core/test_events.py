"""Signal: connect, emit, disconnect, and nested blockers."""

from nnsim.core.events import Signal


def recorder():
    calls = []
    return calls, lambda **kw: calls.append(kw)


def test_emit_calls_connected_callbacks_with_keyword_arguments():
    signal = Signal()
    calls, cb = recorder()
    signal.connect(cb)
    signal.emit(node="a", value=1)
    assert calls == [{"node": "a", "value": 1}]


def test_callbacks_run_in_connection_order():
    signal, order = Signal(), []
    signal.connect(lambda **kw: order.append("first"))
    signal.connect(lambda **kw: order.append("second"))
    signal.emit()
    assert order == ["first", "second"]


def test_connect_returns_the_callback_so_it_works_as_a_decorator():
    signal = Signal()
    seen = []

    @signal.connect
    def on_change(**kw):
        seen.append(kw)

    assert callable(on_change)
    signal.emit(x=2)
    assert seen == [{"x": 2}]


def test_connecting_the_same_callback_twice_calls_it_once():
    signal = Signal()
    calls, cb = recorder()
    signal.connect(cb)
    signal.connect(cb)
    signal.emit()
    assert len(calls) == 1


def test_disconnect_stops_calls():
    signal = Signal()
    calls, cb = recorder()
    signal.connect(cb)
    signal.disconnect(cb)
    signal.emit()
    assert calls == []


def test_disconnecting_an_unknown_callback_is_harmless():
    signal = Signal()
    signal.disconnect(lambda **kw: None)
    signal.emit()


def test_a_callback_may_disconnect_itself_during_emit():
    signal = Signal()
    calls, other = recorder()

    def once(**kw):
        signal.disconnect(once)

    signal.connect(once)
    signal.connect(other)
    signal.emit()
    signal.emit()
    assert len(calls) == 2  # the second callback still ran the first time


def test_blocker_silences_the_signal_inside_only():
    signal = Signal()
    calls, cb = recorder()
    signal.connect(cb)
    with signal.blocker():
        signal.emit(n=1)
    signal.emit(n=2)
    assert calls == [{"n": 2}]


def test_nested_blockers_keep_blocking_until_the_outermost_exits():
    signal = Signal()
    calls, cb = recorder()
    signal.connect(cb)
    with signal.blocker():
        with signal.blocker():
            signal.emit(n=1)
        signal.emit(n=2)
    signal.emit(n=3)
    assert calls == [{"n": 3}]


def test_blocker_is_released_when_an_exception_escapes():
    signal = Signal()
    calls, cb = recorder()
    signal.connect(cb)
    try:
        with signal.blocker():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    signal.emit(n=1)
    assert calls == [{"n": 1}]


def test_signals_are_independent():
    a, b = Signal(), Signal()
    calls, cb = recorder()
    a.connect(cb)
    with a.blocker():
        b.emit()
    b.emit()
    assert calls == []
