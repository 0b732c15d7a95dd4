/* sleeps: sleeps 300 ms and says whether the monotonic clock agrees
 * (in a fleet its run is interrupted every slice_ms meanwhile: the sleep
 * must go on to its deadline, not start again each time). */
#include <stdio.h>
#include <time.h>
#include <unistd.h>
int main(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    usleep(300000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    printf("slept %s\n", ms >= 300 && ms < 600 ? "300 ms" : "wrong");
    return 0;
}
