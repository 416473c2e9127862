"""A stop asked for by a signal is acted on at the next safe point, never inside a wait (core/interrupt.py)."""

from __future__ import annotations

import os
import signal

import pytest

from osms.core.interrupt import check, stoppable


def test_a_signal_is_recorded_then_acted_on_at_the_next_check() -> None:
    with stoppable():
        check()  # nothing asked for yet
        os.kill(os.getpid(), signal.SIGTERM)  # recorded, not raised where it landed
        with pytest.raises(KeyboardInterrupt):
            check()


def test_a_second_signal_stops_at_once() -> None:
    with stoppable():
        os.kill(os.getpid(), signal.SIGINT)
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)


def test_the_former_handlers_come_back_and_nothing_stays_asked() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with stoppable():
        os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is before
    with stoppable():
        check()  # the earlier request does not leak into the next run
