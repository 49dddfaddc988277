# The two commands: `make serve` runs the product, `make test` is the one gate (CI runs exactly it).
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CHROMIUM := /usr/bin/chromium
# The site's build tool, PurgeCSS (package.json, package-lock.json); Lighthouse, a devDependency, only for bench.
NODE_STAMP := node_modules/.installed-stamp
LIGHTHOUSE := node_modules/.bin/lighthouse
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: serve test lint typecheck site pytest bench openapi chromium clean

# Re-install whenever the pinned dependencies change.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --editable '.[dev,infra,draw,room]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --omit=dev
	touch $@

$(LIGHTHOUSE): package.json package-lock.json
	npm ci
	touch $(NODE_STAMP) $@

# Debian's Chromium for the browser tests; never a browser download from elsewhere.
chromium:
	@test -x $(CHROMIUM) || { apt-get update -qq && apt-get install -y -qq chromium; }

serve: $(STAMP) $(NODE_STAMP)
	$(BIN)/praatmee serve --port $(PORT)

test: $(STAMP) chromium lint typecheck site pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

site: $(STAMP) $(NODE_STAMP)
	$(BIN)/mkdocs build --strict --quiet

pytest: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest

# Benchmarks print figures; they never fail on a time.
bench: $(STAMP) $(LIGHTHOUSE) chromium site
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python -m benchmarks.$$(basename $$script .py) || exit 1; done

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache

# --- AWS (README, "Deploy to AWS"). Needs AWS credentials and a bootstrapped account; `make test` never does.
CDK_VERSION := 2.1148.1
CDK := npx --yes aws-cdk@$(CDK_VERSION)
CDK_APP := $(BIN)/python -m infra.app
CDK_CONTEXT = -c senderDomain=$(SENDER_DOMAIN) $(if $(SENDER_ADDRESS),-c senderAddress=$(SENDER_ADDRESS)) \
	$(if $(ALARM_EMAIL),-c alarmEmail=$(ALARM_EMAIL)) $(if $(REGION),-c region=$(REGION)) \
	$(if $(RESERVED_CONCURRENCY),-c reservedConcurrency=$(RESERVED_CONCURRENCY)) \
	$(if $(FIRST_ORGANISER),-c firstOrganiser=$(FIRST_ORGANISER)) \
	$(if $(ORIGIN_SECRET_VERSION),-c originSecretVersion=$(ORIGIN_SECRET_VERSION)) \
	$(if $(API_DOMAIN),-c apiDomain=$(API_DOMAIN)) \
	$(if $(API_CERTIFICATE_ARN),-c apiCertificateArn=$(API_CERTIFICATE_ARN)) \
	$(if $(SITE_DOMAIN),-c siteDomain=$(SITE_DOMAIN)) \
	$(if $(SITE_CERTIFICATE_ARN),-c siteCertificateArn=$(SITE_CERTIFICATE_ARN))

.PHONY: synth deploy destroy cdk-context

cdk-context:
	@test -n "$(SENDER_DOMAIN)" || { echo "set SENDER_DOMAIN, e.g. make deploy SENDER_DOMAIN=praatmee.example.nl"; exit 2; }

synth: $(STAMP) site cdk-context
	$(CDK) synth --app "$(CDK_APP)" --output cdk.out $(CDK_CONTEXT) --quiet

deploy: $(STAMP) site cdk-context
	$(CDK) deploy --app "$(CDK_APP)" --output cdk.out $(CDK_CONTEXT) --all --require-approval broadening

destroy: $(STAMP) cdk-context
	$(CDK) destroy --app "$(CDK_APP)" --output cdk.out $(CDK_CONTEXT) --all
