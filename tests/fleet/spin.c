/* spin [MS]: computes forever (a VM that would starve the others if turns
 * were not enforced), or for MS ms of the monotonic clock, then exits 0. */
#include <stdlib.h>
#include <time.h>

static long ms_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    long until = argc > 1 ? ms_now() + atol(argv[1]) : -1;
    volatile unsigned long x = 0;
    for (;;) {
        for (int i = 0; i < 100000; i++)
            x++;
        if (until >= 0 && ms_now() >= until)
            return 0;
    }
}
