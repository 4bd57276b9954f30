# The two commands of a fresh clone: `make run` and `make test`. Both install what they need.
# make run keeps its data in .local/data; `make run FRESH=1` starts from nothing.
.PHONY: run test bench load build tools clean fuzz screenshots

PORT ?= 3000

run: tools
	go run ./infra/local -port $(PORT) $(if $(FRESH),-fresh)

test:
	infra/test.sh

bench: tools
	infra/bench.sh

# screenshots: the README's pictures of the app and the chat widget (docs/screenshots/), taken
# in chromium from the runner with demo data.
screenshots: tools
	infra/screenshots.sh

# load: N accounts × M messages with duplicates and concurrent senders, checked exactly once and
# in order through the API, on each store (see infra/load.sh for the knobs).
load: tools
	infra/load.sh

tools:
	infra/emulators/install.sh

# How every function is compiled, by `make build` and by `sam build` alike: linux/arm64, no cgo,
# no RPC shim (provided.al2023 needs none), stripped, no local paths.
LAMBDA_BUILD = GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w'

# build compiles every function as a linux/arm64 `bootstrap` into .aws-sam-local/<name>/.
build:
	@for d in functions/*/; do \
		n=$$(basename $$d); \
		$(LAMBDA_BUILD) -o .aws-sam-local/$$n/bootstrap ./$$d || exit 1; \
	done

# sam build runs `make build-<LogicalId>` here for every function (template.yaml: Metadata
# BuildMethod makefile, ContextPath and ProjectRootDirectory ".") with ARTIFACTS_DIR set: the
# XyzFunction resource is the main package functions/xyz/ (infra/samtemplate checks the names).
build-%Function:
	@test -d functions/$(shell echo '$*' | tr A-Z a-z) || { echo "no functions/$(shell echo '$*' | tr A-Z a-z)/ for $*Function" >&2; exit 1; }
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(shell echo '$*' | tr A-Z a-z)

# fuzz runs the MIME parser's fuzz target longer than make test does (FUZZTIME=10m make fuzz).
FUZZTIME ?= 2m
fuzz:
	go test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./shared/mailparse/

clean:
	rm -rf .aws-sam-local .tools/run
