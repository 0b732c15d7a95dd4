/* bigmem MIB exit|wait: fills MIB MiB with words no two pages share,
 * says "filled", and exits; with "wait" it then reads a line from its
 * standard input, sums every word and prints the sum (each page read
 * again). Both modes run the same instructions up to that choice. A lazy
 * restore must give back every page as it was, load only what is
 * touched, and notice a snapshot file changed under it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 16;
    int wait = argc > 2 && argv[2][0] == 'w';
    size_t n = mib << 17;   /* 8-byte words */
    uint64_t *m = malloc(n * sizeof *m);
    if (!m)
        return 1;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        m[i] = x | 1;
    }
    printf("filled %zu MiB\n", mib);
    fflush(stdout);
    if (!wait)
        return 0;
    char line[64];
    ssize_t k = read(0, line, sizeof line);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 31 + m[i];
    printf("read %zd, sum %016llx\n", k, (unsigned long long)sum);
    return 0;
}
