PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run check-qt-libs test lint bench i18n extract dist clean screenshots guide-screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

i18n: $(STAMP)
	$(BIN)/python -m desktop_app.i18n.build compile

setup: $(STAMP) i18n

# Linux: says which system libraries Qt's window needs and how to install them
check-qt-libs: $(STAMP)
	$(BIN)/python tools/check_qt_libs.py

run: setup check-qt-libs
	$(BIN)/hamroh --demo

test: setup
	$(BIN)/ruff check --output-format concise .
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# not yet part of `make test`: the rest of the tree still has findings (both tools always run)
lint: $(STAMP)
	$(BIN)/ruff check --output-format concise .; ruff=$$?; $(BIN)/mypy; mypy=$$?; test $$ruff -eq 0 -a $$mypy -eq 0

bench: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run.py

screenshots: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots.py --out screenshots

# the few pages the user guides show, into docs/user/<language>/images/ (docs/user/images/ for English)
guide-screenshots: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots.py --guides docs/user --languages en,ru,tg,uz

extract: $(STAMP)
	$(BIN)/python -m desktop_app.i18n.build extract

DIST_STAMP := $(VENV)/.installed-dist

$(DIST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev,dist]'
	touch $(DIST_STAMP)

# the application folder dist/Hamroh and its zip, for the platform this runs on
# (packaging/hamroh.spec); on Linux the built programs are then smoke-tested (tests/dist)
dist: setup $(DIST_STAMP)
	$(BIN)/python packaging/build.py
	if [ "$$(uname -s)" = Linux ]; then \
		QT_QPA_PLATFORM=offscreen HAMROH_DIST_APP=dist/Hamroh $(BIN)/python -m pytest -q tests/dist; \
	fi

clean:
	rm -rf $(VENV) desktop_app/i18n/locale build dist
