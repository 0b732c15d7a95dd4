/* readin: says "waiting", then blocks reading its standard input (a pipe
 * that stays empty): a snapshot on SIGUSR1 must not wait for the data.
 * Restored, it reads the restoring monitor's input. Exits 0. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    char b[64];
    printf("waiting\n");
    fflush(stdout);
    long n = read(0, b, sizeof b);
    printf("read %ld: %.*s", n, (int)(n > 0 ? n : 0), b);
    return 0;
}
