# orgsync: two commands on a fresh machine (Go installed):
#   make demo   brings up the local stack and runs a sync into the sandbox
#   make test   runs every test against a real Temporal dev server and Postgres
SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin

.PHONY: all build tools test demo up down status bench clean

all: build

build:
	$(GO) build ./...

# Pinned developer tools, built from the Go module proxy (tools/go.mod).
tools: $(BIN)/temporal $(BIN)/workflowcheck

$(BIN)/temporal: tools/go.mod tools/go.sum
	cd tools && $(GO) build -o $(BIN)/temporal github.com/temporalio/cli/cmd/temporal

$(BIN)/workflowcheck: tools/go.mod tools/go.sum
	cd tools && $(GO) build -o $(BIN)/workflowcheck go.temporal.io/sdk/contrib/tools/workflowcheck

test: tools
	scripts/test.sh

up: tools
	scripts/stack.sh up

down:
	scripts/stack.sh down

status:
	scripts/stack.sh status

demo: tools
	scripts/demo.sh

bench: tools
	scripts/bench.sh

clean: down
	rm -rf .data bin
