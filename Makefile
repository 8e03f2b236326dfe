# Every command a developer or CI runs. `make help` lists the targets.
#
# Local runs need Go, Node.js 20 or later with npm (for dynalite, the local
# DynamoDB), and make. `make test` adds the race detector where a C compiler
# is present. Nothing here needs an AWS account or Docker.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Settings for local runs. Override them on the command line or in the
# environment, for example `make db DYNAMODB_PORT=8001`.
AWS_REGION ?= us-east-1
TABLE_NAME ?= profiles
DYNAMODB_PORT ?= 8000
DYNAMODB_ENDPOINT ?= http://127.0.0.1:$(DYNAMODB_PORT)
export AWS_REGION TABLE_NAME DYNAMODB_PORT DYNAMODB_ENDPOINT
# The port of make start-api on 127.0.0.1. make token signs its tokens for
# the local API on this port, so give both the same PORT.
PORT ?= 3000

NODE_MIN_MAJOR := 20
# npm ci runs again only when package.json or package-lock.json is newer than
# this stamp. It lives in node_modules so that deleting the folder resets it.
NPM_STAMP := node_modules/.npm-ci.stamp

GO_LAMBDA_BUILD := CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w'
# Lambda runs the function on provided.al2023 on arm64 (Graviton), as
# template.yaml sets.
GO_LAMBDA_ARM64_BUILD := GOOS=linux GOARCH=arm64 $(GO_LAMBDA_BUILD)
# Where make build writes bootstrap; tests point it at a temporary folder.
LAMBDA_DIR ?= bin/lambda

define CHECK_NODE
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	echo "Node.js $(NODE_MIN_MAJOR) or later with npm is required: install it from https://nodejs.org or your package manager" >&2; \
	exit 1; \
fi; \
major="$$(node -p 'process.versions.node.split(".")[0]')"; \
if [ "$$major" -lt $(NODE_MIN_MAJOR) ]; then \
	echo "Node.js $(NODE_MIN_MAJOR) or later is required, but node is $$(node --version): upgrade it from https://nodejs.org or your package manager" >&2; \
	exit 1; \
fi
endef

# Fail before any prerequisite runs when `make invoke` has no event.
ifneq ($(filter invoke,$(MAKECMDGOALS)),)
ifeq ($(EVENT),)
$(error EVENT is required: make invoke EVENT=events/<file>.json)
endif
endif

.PHONY: help deps db db-stop db-status build build-native build-ProfileFunction invoke start-api token test bench fuzz lint deploy clean clean-db

help: ## List the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

deps: $(NPM_STAMP) ## Check Node.js, install dynalite with npm ci, download Go modules.
	@$(CHECK_NODE)
	go mod download

$(NPM_STAMP): package.json package-lock.json
	@$(CHECK_NODE)
	npm ci
	@touch $@

db: deps ## Start the local DynamoDB on 127.0.0.1 (port DYNAMODB_PORT, default 8000) and create the table.
	go run ./cmd/localdb start

db-stop: ## Stop the local DynamoDB; its data stays in .local/.
	go run ./cmd/localdb stop

db-status: ## Show whether the local DynamoDB is running.
	go run ./cmd/localdb status

build: ## Build the function for Lambda (static linux/arm64, stripped) into bin/lambda/bootstrap, as sam build does.
	$(GO_LAMBDA_ARM64_BUILD) -o "$(LAMBDA_DIR)/bootstrap" ./functions/profile

build-native: ## Build bin/bootstrap for this machine (used by make invoke).
	$(GO_LAMBDA_BUILD) -o bin/bootstrap ./functions/profile

# sam build runs this target for the makefile build method and sets
# ARTIFACTS_DIR.
build-ProfileFunction: ## Build the function for Lambda (linux/arm64) into ARTIFACTS_DIR, which sam build sets.
	@if [ -z "$(ARTIFACTS_DIR)" ]; then echo "ARTIFACTS_DIR is not set: run sam build, or make build-ProfileFunction ARTIFACTS_DIR=DIR" >&2; exit 1; fi
	$(GO_LAMBDA_ARM64_BUILD) -o "$(ARTIFACTS_DIR)/bootstrap" ./functions/profile

invoke: db build-native ## Invoke the function once under the Lambda emulator: make invoke EVENT=events/FILE.json.
	@rie="$$(go tool -n aws-lambda-rie)" && \
	go run ./cmd/invoke -bootstrap bin/bootstrap -rie "$$rie" "$(EVENT)"

# The server runs as a built program: under go run (seen with Go 1.26), a
# Ctrl-C that stops the server cleanly still ends in exit status 1, and
# make reports an error.
start-api: db ## Serve the API on http://127.0.0.1:PORT (default 3000) behind a Cognito-compatible authorizer; Ctrl-C stops it.
	go build -o bin/localapi ./cmd/localapi
	PORT=$(PORT) ALLOWED_ORIGINS="$(ALLOWED_ORIGINS)" REQUIRE_IF_MATCH="$(REQUIRE_IF_MATCH)" bin/localapi

# Only the token goes to stdout, so TOKEN=$(make -s token) works.
token: ## Print an ID token for make start-api; SUB=, EMAIL= and TTL= (default 1h) change it.
	@PORT=$(PORT) SUB="$(SUB)" EMAIL="$(EMAIL)" TTL="$(TTL)" go run ./cmd/localapi token

# The race detector needs cgo, so it is on only where a C compiler is.
RACE := $(shell command -v "$$(go env CC)" >/dev/null 2>&1 && echo -race)

# The database is stopped afterwards only if this run started it, so a
# database that a developer started with make db keeps running.
test: deps ## Run all tests (with the race detector where a C compiler is) against a local DynamoDB, as CI does.
	@if [ -z "$(RACE)" ]; then echo "no C compiler ($$(go env CC)) found: running the tests without the race detector" >&2; fi
	@mkdir -p .local && rm -f .local/started; \
	trap 'if [ "$$(cat .local/started 2>/dev/null)" = yes ]; then go run ./cmd/localdb stop; fi' EXIT; \
	go run ./cmd/localdb start -started-file .local/started && \
	DYNAMODB_ENDPOINT=$(DYNAMODB_ENDPOINT) go test $(RACE) -count=1 ./...

# Like test, bench stops the database afterwards only if it started it. It
# runs for a few minutes; cmd/bench says what it measures.
bench: deps ## Measure the function's size, cold start, latency, CPU time and memory, and write BENCHMARKS.md.
	@mkdir -p .local && rm -f .local/bench-started; \
	trap 'if [ "$$(cat .local/bench-started 2>/dev/null)" = yes ]; then go run ./cmd/localdb stop; fi' EXIT; \
	go run ./cmd/localdb start -started-file .local/bench-started && \
	DYNAMODB_ENDPOINT=$(DYNAMODB_ENDPOINT) go run ./cmd/bench -out BENCHMARKS.md

# Every fuzz target of the module, as PACKAGE:FUNCTION. A test in
# internal/gateway checks that this list names each Fuzz function once.
FUZZ_TARGETS := \
	./internal/profile:FuzzParseReplacement \
	./internal/profile:FuzzParsePatch \
	./internal/profile:FuzzTextField \
	./internal/profile:FuzzEmailField \
	./internal/profile:FuzzPhoneNumberField \
	./internal/profile:FuzzURLField \
	./internal/profile:FuzzLocaleField \
	./internal/profile:FuzzZoneinfoField \
	./internal/gateway:FuzzDecodeEvent \
	./internal/gateway:FuzzSubject \
	./internal/gateway:FuzzHandle \
	./internal/gateway:FuzzHandleRequest
FUZZTIME ?= 30s
# go test minimises each new corpus entry for 60 s by default and counts
# no execution meanwhile, which can take up a whole short run. A failing
# input is minimised within the same limit, so raise it to shrink one.
FUZZMINIMIZETIME ?= 1s

# go test -fuzz takes one target at a time, so they run one after the
# other; make test runs only their seed corpora in testdata/fuzz/.
fuzz: ## Run each fuzz target for FUZZTIME (default 30s), one after the other.
	@set -e; for target in $(FUZZ_TARGETS); do \
		pkg="$${target%%:*}"; name="$${target#*:}"; \
		echo "fuzz $$name in $$pkg for $(FUZZTIME)"; \
		go test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) "$$pkg"; \
	done

lint: ## Run go vet, gofmt, staticcheck and cfn-lint, and check that go mod tidy changes nothing.
	go vet ./...
	@unformatted="$$(gofmt -l $$(go list -e -f '{{.Dir}}' ./...) | sort -u)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change these files (run gofmt -w on them):" >&2; echo "$$unformatted" >&2; exit 1; fi
	go tool staticcheck ./...
	go mod tidy -diff
	@if command -v cfn-lint >/dev/null 2>&1; then \
		echo "cfn-lint template.yaml"; cfn-lint template.yaml; \
	elif [ "$$CI" = true ]; then \
		echo "cfn-lint not found, and CI=true requires it: install it with pip install cfn-lint" >&2; exit 1; \
	else \
		echo "cfn-lint not found, so template.yaml was not linted: install it with pip install cfn-lint" >&2; \
	fi

# For users with an AWS account; nothing else in this Makefile reaches AWS.
deploy: ## Build with sam and deploy the stack to your AWS account, asking for each setting.
	@command -v sam >/dev/null 2>&1 || { echo "sam not found: install the AWS SAM CLI, then run make deploy again" >&2; exit 1; }
	sam build && sam deploy --guided

clean: ## Remove build output (bin/ and .aws-sam/); the database in .local/ stays.
	rm -rf bin .aws-sam

clean-db: db-stop ## Stop the local DynamoDB and delete its data in .local/.
	rm -rf .local
