# The two commands of a fresh clone: `make run` and `make test`. Both install what they need.
# make run keeps its data in .local/data; `make run FRESH=1` starts from nothing.
.PHONY: run test bench load build tools clean fuzz

PORT ?= 3000

run: tools
	go run ./infra/local -port $(PORT) $(if $(FRESH),-fresh)

test:
	infra/test.sh

bench: tools
	infra/bench.sh

# load: N accounts × M messages with duplicates and concurrent senders, checked exactly once and
# in order through the API, on each store (see infra/load.sh for the knobs).
load: tools
	infra/load.sh

tools:
	infra/emulators/install.sh

# build compiles every function as a linux/arm64 `bootstrap`, as sam build does.
build:
	@for d in functions/*/; do \
		n=$$(basename $$d); \
		GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w' -o .aws-sam-local/$$n/bootstrap ./$$d || exit 1; \
	done

# fuzz runs the MIME parser's fuzz target longer than make test does (FUZZTIME=10m make fuzz).
FUZZTIME ?= 2m
fuzz:
	go test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./shared/mail/

clean:
	rm -rf .aws-sam-local .tools/run
