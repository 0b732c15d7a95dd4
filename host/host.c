/*
 * host.c — page allocation, clocks and randomness on a POSIX host.
 */
#include "host/host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

void *host_page_alloc(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void host_page_free(void *p, size_t size)
{
    if (p)
        munmap(p, size);
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t host_time_realtime_ns(void) { return clock_ns(CLOCK_REALTIME); }
uint64_t host_time_monotonic_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
uint64_t host_time_cputime_ns(void) { return clock_ns(CLOCK_PROCESS_CPUTIME_ID); }

void host_sleep_ns(uint64_t ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void host_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        while (len > 0) {
            ssize_t n = read(fd, p, len);
            if (n <= 0)
                break;
            p += n;
            len -= (size_t)n;
        }
        close(fd);
    }
    /* Fallback: a mixed clock; guests asking for randomness get something. */
    uint64_t x = host_time_monotonic_ns() ^ host_time_realtime_ns() ^ (uint64_t)(uintptr_t)buf;
    while (len > 0) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        *p++ = (uint8_t)x;
        len--;
    }
}
