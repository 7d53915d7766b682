# Gonghui: `make run` (demo server on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint messages clean

$(BIN)/.installed: requirements/base.txt requirements/dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python >= 3.12（$(PYTHON)）。pyenv: 项目根目录的 .python-version 指定 3.13"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements/dev.txt
	@touch $@

# Front-end libraries (ECharts), pinned by package-lock.json, served through staticfiles.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(BIN)/.installed node_modules/.package-lock.json

run: install
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py collectstatic --no-input -v0
	$(BIN)/python manage.py load_demo
	@echo
	@echo "工会工作平台已启动：http://$(HOST):$(PORT)/  （用上面的演示账号登录）"
	HOST=$(HOST) PORT=$(PORT) bash scripts/serve.sh

test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check gonghui bench tests scripts
	$(BIN)/ruff format --check gonghui bench tests scripts

messages: install
	cd gonghui && ../$(BIN)/python ../manage.py makemessages -l en --ignore "tests/*" -v0 && ../$(BIN)/python ../manage.py compilemessages -l en -v0

clean:
	rm -rf $(VENV) test-artifacts node_modules
