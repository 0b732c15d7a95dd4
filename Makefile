# Matryoshka — one GNU Makefile.
#   make            build the monitor (build/mvm); needs only a C11 compiler
#   make demo       build the bundled guests and run the demo
#   make test       install test dependencies, build everything, run every suite
#   make SAN=1 test the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make TSAN=1 test-threads   the threaded suites under ThreadSanitizer
#   make bench      run the benchmarks (bench/run)
#   make bench-nest the nesting benchmark (bench/nest, about 15 minutes)
#   make CC=aarch64-linux-gnu-gcc BUILD=build/aarch64   cross-build the monitor
#   make rv64       the monitor as an RV64GC guest (build/mvm.rv64), which
#                   `make` also builds when the riscv64 cross compiler is there
CC      ?= cc
BUILD   ?= build
ifeq ($(SAN),1)
BUILD   := build/san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ifeq ($(TSAN),1)
BUILD   := build/tsan
SANFLAGS = -fsanitize=thread -fno-omit-frame-pointer
endif
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -Wall -Wextra -Wno-unused-parameter -D_DEFAULT_SOURCE -D_GNU_SOURCE \
           -frounding-math -fno-strict-aliasing -pthread -I. -Iinclude $(SANFLAGS) $(XCFLAGS)
LDFLAGS += -pthread $(SANFLAGS)
LDLIBS  += -lm

LIB_SRC := $(wildcard rv/*.c mem/*.c vm/*.c user/*.c host/*.c)
CLI_SRC := $(wildcard cli/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
MVM     := $(BUILD)/mvm

RV64_CC ?= riscv64-linux-gnu-gcc
HAVE_RV64_CC := $(shell command -v $(RV64_CC) 2>/dev/null)

all: $(MVM) $(if $(HAVE_RV64_CC),rv64)

# The same sources as a static RISC-V Linux program, placed beside mvm so
# that `mvm run --depth N` finds it.
rv64:
	@$(MAKE) --no-print-directory CC=$(RV64_CC) BUILD=build/rv64 SAN= OPT=-O2 "LDFLAGS=-static -pthread" build/rv64/mvm
	@mkdir -p $(BUILD)
	@cmp -s build/rv64/mvm $(BUILD)/mvm.rv64 || cp build/rv64/mvm $(BUILD)/mvm.rv64

$(MVM): $(CLI_OBJ) $(BUILD)/libmvm.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libmvm.a $(LDLIBS)

$(BUILD)/libmvm.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

deps:
	@scripts/deps

guests: $(MVM)
	@scripts/deps guest
	@$(MAKE) --no-print-directory -C guests

demo: guests
	@guests/demo.sh $(MVM)

test: deps all rv64
	@$(MAKE) --no-print-directory -C guests
	MVM=$(abspath $(MVM)) SAN=$(SAN) tests/run

# The concurrent core under ThreadSanitizer: the monitor built with
# -fsanitize=thread runs the threads, signals and processes suites (any
# report fails a test).
test-threads: deps all rv64
	@$(MAKE) --no-print-directory -C guests
	MVM=$(abspath $(MVM)) SAN=$(SAN)$(TSAN) tests/run threads signals procs

bench: deps all
	@$(MAKE) --no-print-directory -C guests
	MVM=$(abspath $(MVM)) bench/run

bench-nest: deps all rv64
	MVM=$(abspath $(MVM)) bench/nest

bench-threads bench-procs bench-net: deps all
	MVM=$(abspath $(MVM)) bench/$(@:bench-%=%)

clean:
	rm -rf build
	@$(MAKE) --no-print-directory -C guests clean

.PHONY: all rv64 deps guests demo test test-threads bench bench-nest bench-threads bench-procs bench-net clean
