/*
 * host.h — the host boundary: byte order, page-sized allocation, clocks,
 * randomness. Every other layer reaches the host OS only through host/.
 *
 * Guest memory is always little-endian (RISC-V), whatever the host; the
 * ld/st helpers below are the only way guest bytes become host integers.
 */
#ifndef MVM_HOST_H
#define MVM_HOST_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_BIG_ENDIAN 1
#else
#define HOST_BIG_ENDIAN 0
#endif

#if defined(__GNUC__)
#define host_bswap16 __builtin_bswap16
#define host_bswap32 __builtin_bswap32
#define host_bswap64 __builtin_bswap64
#define HOST_LIKELY(x) __builtin_expect(!!(x), 1)
#define HOST_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
static inline uint16_t host_bswap16(uint16_t v) { return (uint16_t)(v << 8 | v >> 8); }
static inline uint32_t host_bswap32(uint32_t v)
{
    return v << 24 | (v & 0xff00) << 8 | (v >> 8 & 0xff00) | v >> 24;
}
static inline uint64_t host_bswap64(uint64_t v)
{
    return (uint64_t)host_bswap32((uint32_t)v) << 32 | host_bswap32((uint32_t)(v >> 32));
}
#define HOST_LIKELY(x) (x)
#define HOST_UNLIKELY(x) (x)
#endif

#if HOST_BIG_ENDIAN
#define HOST_LE16(v) host_bswap16(v)
#define HOST_LE32(v) host_bswap32(v)
#define HOST_LE64(v) host_bswap64(v)
#else
#define HOST_LE16(v) (v)
#define HOST_LE32(v) (v)
#define HOST_LE64(v) (v)
#endif

/* Little-endian loads and stores at any alignment. */
static inline uint8_t ld8(const void *p) { return *(const uint8_t *)p; }
static inline uint16_t ld16(const void *p) { uint16_t v; memcpy(&v, p, 2); return HOST_LE16(v); }
static inline uint32_t ld32(const void *p) { uint32_t v; memcpy(&v, p, 4); return HOST_LE32(v); }
static inline uint64_t ld64(const void *p) { uint64_t v; memcpy(&v, p, 8); return HOST_LE64(v); }
static inline void st8(void *p, uint8_t v) { *(uint8_t *)p = v; }
static inline void st16(void *p, uint16_t v) { v = HOST_LE16(v); memcpy(p, &v, 2); }
static inline void st32(void *p, uint32_t v) { v = HOST_LE32(v); memcpy(p, &v, 4); }
static inline void st64(void *p, uint64_t v) { v = HOST_LE64(v); memcpy(p, &v, 8); }

/* Page-aligned, zeroed host memory; NULL when the host is out of memory. */
void *host_page_alloc(size_t size);
/* The same, made present at once where the host can (one call instead of
 * a fault per page: for memory that is about to be written whole). */
void *host_page_alloc_now(size_t size);
/* Page-aligned, zeroed host memory at an address that is a multiple of
 * size (a power of two), which the host is asked to back with huge pages
 * where it can (Linux's MADV_HUGEPAGE): for memory that will be used
 * whole, whose first touch then costs one fault for all of it. Freed
 * with host_page_free, in pieces if need be. NULL when out of memory. */
void *host_page_alloc_huge(size_t size);
void host_page_free(void *p, size_t size);

/* /tmp/perf-PID.map, made anew and line-buffered, for the profiler
 * (rv/perfmap.c); NULL with errno set if it cannot be. */
FILE *host_perf_map_open(void);
/* Makes [p, p + size) of host_page_alloc memory present now, in one call
 * where the host can (Linux's MADV_POPULATE_WRITE); nothing elsewhere. */
void host_page_populate(void *p, size_t size);
/* Gives the host back the memory of [p, p + size) of host_page_alloc
 * memory, which stays mapped and reads as zero after (Linux's
 * MADV_DONTNEED); where the host cannot, nothing. */
void host_page_release(void *p, size_t size);
/* Gives the host back the free memory of the C heap, where the C library
 * can (glibc's malloc_trim); nothing elsewhere. */
void host_heap_trim(void);

/* Clocks in nanoseconds. */
uint64_t host_time_realtime_ns(void);
uint64_t host_time_monotonic_ns(void);
/* Makes the monotonic clock read now_ns at this instant and go on from
 * there (a restored VM's time continues where it was saved); every
 * reading above and every deadline built from one moves with it.
 * host_time_monotonic_raw_ns: such a reading as the host's own clock. */
void host_time_set_monotonic(uint64_t now_ns);
uint64_t host_time_monotonic_raw_ns(uint64_t mono_ns);
/* The same for the process's CPU time (host_time_cputime_ns). */
void host_time_set_cputime(uint64_t now_ns);
uint64_t host_time_cputime_ns(void);
void host_sleep_ns(uint64_t ns);
/* The host's online CPUs (at least 1). */
int host_cpu_count(void);

/* Fills buf with unpredictable bytes (getrandom, /dev/urandom, clock mix). */
void host_random(void *buf, size_t len);

/* Runs fn(ctx) on a thread of its own each time the process gets
 * SIGUSR1, which is blocked in the caller from now on: call it before any
 * other thread starts (they inherit the mask). Once a process. 0 or
 * -errno. */
int host_on_sigusr1(void (*fn)(void *), void *ctx);

#endif
