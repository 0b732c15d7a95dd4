/*
 * perfmap.c — compiled code announced to profilers, in the map file perf
 * reads for code without symbols (/tmp/perf-PID.map: one line "START
 * SIZE NAME" per piece of code, hex). Off unless set (mvm_perf_map_open).
 */
#include "rv/jit.h"

#include <inttypes.h>
#include <stdatomic.h>

static _Atomic(FILE *) perf_map;

void rv_jit_set_perf_map(FILE *f) { atomic_store(&perf_map, f); }

void rv_jit_announce(const void *code, size_t size, uint64_t pc, unsigned n)
{
    FILE *f = atomic_load_explicit(&perf_map, memory_order_acquire);
    if (!f || !code || !size)
        return;
    if (n > 1)
        fprintf(f, "%" PRIxPTR " %zx rv64:%" PRIx64 "+%u\n", (uintptr_t)code, size, pc, n - 1);
    else
        fprintf(f, "%" PRIxPTR " %zx rv64:%" PRIx64 "\n", (uintptr_t)code, size, pc);
}
