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
# Snapshots need xxhash's header (libxxhash-dev) and compress with zstd
# (libzstd-dev); both are found by asking $(CC), so a build without them
# (or a cross build without the target's libzstd) still succeeds, without
# snapshots or without compression (scripts/deps installs them).
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

# Optional libraries, probed with this $(CC) and $(LDFLAGS) once per make
# run: xxhash is header-only (preprocessing its header is enough), zstd
# must also link (a static cross build may lack the target's libzstd.a).
HAVE_XXHASH := $(shell $(CC) $(CFLAGS) -E -include xxhash.h -x c /dev/null >/dev/null 2>&1 && echo 1)
ifeq ($(HAVE_XXHASH),1)
HAVE_ZSTD := $(shell echo 'int main(void) { return !ZSTD_versionNumber(); }' | \
	$(CC) $(CFLAGS) $(LDFLAGS) -include zstd.h -x c -o /dev/null - -lzstd >/dev/null 2>&1 && echo 1)
endif
# The control socket (cli/control.c) speaks JSON through jansson
# (libjansson-dev); without it the CLI says the socket is unavailable.
HAVE_JANSSON := $(shell echo 'int main(void) { json_decref(json_object()); return 0; }' | \
	$(CC) $(CFLAGS) $(LDFLAGS) -include jansson.h -x c -o /dev/null - -ljansson >/dev/null 2>&1 && echo 1)
# Fleet manifests (cli/fleet.c) are YAML, read with libyaml (libyaml-dev);
# without it `mvm fleet` says it cannot read them.
HAVE_YAML := $(shell echo 'int main(void) { yaml_parser_t p; return !yaml_parser_initialize(&p); }' | \
	$(CC) $(CFLAGS) $(LDFLAGS) -include yaml.h -x c -o /dev/null - -lyaml >/dev/null 2>&1 && echo 1)
# The board's device tree (sys/fdt.c) is made with libfdt (libfdt-dev);
# without it `mvm boot` hands the firmware no device tree.
HAVE_FDT := $(shell echo 'int main(void) { char b[64]; return fdt_create(b, 64); }' | \
	$(CC) $(CFLAGS) $(LDFLAGS) -include libfdt.h -x c -o /dev/null - -lfdt >/dev/null 2>&1 && echo 1)
HAVE_CFLAGS := $(if $(HAVE_FDT),-DMVM_HAVE_FDT=1) $(if $(HAVE_XXHASH),-DMVM_HAVE_XXHASH=1) $(if $(HAVE_ZSTD),-DMVM_HAVE_ZSTD=1) \
	$(if $(HAVE_JANSSON),-DMVM_HAVE_JANSSON=1) $(if $(HAVE_YAML),-DMVM_HAVE_YAML=1)
HAVE_LIBS   := $(if $(HAVE_FDT),-lfdt) $(if $(HAVE_ZSTD),-lzstd) $(if $(HAVE_JANSSON),-ljansson) $(if $(HAVE_YAML),-lyaml)
CFLAGS  += $(HAVE_CFLAGS)
LDLIBS  := $(HAVE_LIBS) $(LDLIBS)
# mvm links statically where it can, as a static PIE (its addresses still
# random): linked dynamically, loading and relocating its libraries took
# 0.7 ms of every run, a third of a small program's (docs/bench.md,
# start-up). Not under the sanitizers, whose runtimes are shared
# libraries, nor where a library has no static archive (the probe fails:
# mvm is then linked as before), nor in a build already static.
ifeq ($(SAN)$(TSAN)$(filter -static,$(LDFLAGS)),)
STATIC_LDFLAGS := $(shell echo 'int main(void) { return 0; }' | \
	$(CC) $(CFLAGS) $(LDFLAGS) -static-pie -x c -o /dev/null - $(LDLIBS) >/dev/null 2>&1 && echo -static-pie)
endif

LIB_SRC := $(wildcard rv/*.c mem/*.c vm/*.c user/*.c host/*.c snap/*.c sys/*.c)
CLI_SRC := $(wildcard cli/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
MVM     := $(BUILD)/mvm

RV64_CC ?= riscv64-linux-gnu-gcc
HAVE_RV64_CC := $(shell command -v $(RV64_CC) 2>/dev/null)

all: $(MVM) $(if $(HAVE_RV64_CC),rv64)

# The same sources as a static RISC-V Linux program, placed beside mvm so
# that `mvm run --depth N` finds it.
# It goes there stripped: every nested level reads the whole file, and
# its debugging information is three quarters of it (build/rv64/mvm
# keeps it, for gdb).
RV64_STRIP ?= $(patsubst %gcc,%strip,$(RV64_CC))
rv64:
	@$(MAKE) --no-print-directory CC=$(RV64_CC) BUILD=build/rv64 SAN= TSAN= OPT=-O2 "LDFLAGS=-static -pthread" build/rv64/mvm
	@mkdir -p $(BUILD)
	@$(RV64_STRIP) -o build/rv64/mvm.stripped build/rv64/mvm 2>/dev/null || cp build/rv64/mvm build/rv64/mvm.stripped
	@cmp -s build/rv64/mvm.stripped $(BUILD)/mvm.rv64 || cp build/rv64/mvm.stripped $(BUILD)/mvm.rv64

$(MVM): $(CLI_OBJ) $(BUILD)/libmvm.a
	$(CC) $(LDFLAGS) $(STATIC_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libmvm.a $(LDLIBS)

$(BUILD)/libmvm.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c $(BUILD)/have.flags
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# What the probes found; rewritten only when that changes, so objects
# built before a library was installed are rebuilt with it.
$(BUILD)/have.flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(HAVE_CFLAGS) $(HAVE_LIBS)' | cmp -s - $@ || echo '$(HAVE_CFLAGS) $(HAVE_LIBS)' >$@

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

deps:
	@scripts/deps

guests:
	@scripts/deps guest
	@$(MAKE) --no-print-directory $(MVM)
	@$(MAKE) --no-print-directory -C guests

demo: guests
	@guests/demo.sh $(MVM)

# Targets that install dependencies build in a new make, whose probes see
# what scripts/deps may just have installed.
test: deps
	@$(MAKE) --no-print-directory all rv64
	@$(MAKE) --no-print-directory -C guests
	MVM=$(abspath $(MVM)) SAN=$(SAN) tests/run

# The concurrent core under ThreadSanitizer: the monitor built with
# -fsanitize=thread runs the threads, signals and processes suites (any
# report fails a test).
test-threads: deps
	@$(MAKE) --no-print-directory all rv64
	@$(MAKE) --no-print-directory -C guests
	MVM=$(abspath $(MVM)) SAN=$(SAN)$(TSAN) tests/run threads signals procs snap fleet fleetctl balloon swap board firmware

bench: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -C guests
	MVM=$(abspath $(MVM)) bench/run

bench-nest: deps
	@$(MAKE) --no-print-directory all rv64
	MVM=$(abspath $(MVM)) bench/nest

bench-threads bench-procs bench-net bench-snap bench-density bench-board: deps
	@$(MAKE) --no-print-directory all
	MVM=$(abspath $(MVM)) bench/$(@:bench-%=%)

bench-startup: deps
	@$(MAKE) --no-print-directory all rv64
	MVM=$(abspath $(MVM)) bench/startup

bench-aarch64: deps
	bench/aarch64

# For scripts that link libmvm themselves: `make -s print-HAVE_LIBS`.
print-%:
	@echo $($*)

clean:
	rm -rf build
	@$(MAKE) --no-print-directory -C guests clean

.PHONY: FORCE all rv64 deps guests demo test test-threads bench bench-nest bench-threads bench-procs bench-net bench-snap bench-density bench-board bench-startup bench-aarch64 clean
