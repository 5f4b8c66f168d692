"""The journeys' own checks catch what they are for."""
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop_app import i18n
from tests.journeys.driver import Journey, english_messages


def test_the_screen_is_a_small_laptop(qapp):
    geometry = qapp.primaryScreen().geometry()
    assert (geometry.width(), geometry.height()) == (1366, 768)


def test_english_in_a_tajik_window_and_blank_buttons_are_reported(qtbot):
    i18n.set_language("tg")
    assert "Cases" in english_messages()
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    layout.addWidget(QLabel("Cases"))
    layout.addWidget(QPushButton(""))
    window.show()
    journey = Journey(qtbot, None, "tg")  # type: ignore[arg-type]
    journey.check_window(window)
    assert any("English in tg: 'Cases'" in p for p in journey.problems)
    assert any("blank button" in p for p in journey.problems)


def test_a_button_scrolled_out_of_sight_is_not_reachable(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    area = QScrollArea(window)
    area.resize(200, 100)
    inner = QWidget()
    inner.resize(200, 1000)
    button = QPushButton("Far away", inner)
    button.move(10, 900)
    area.setWidget(inner)
    window.resize(200, 100)
    window.show()
    journey = Journey(qtbot, None, "en")  # type: ignore[arg-type]
    try:
        journey.button("Far away", window)
    except AssertionError as exc:
        assert "outside the visible part" in str(exc)
    else:
        raise AssertionError("a button out of sight was found reachable")
