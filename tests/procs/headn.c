/* headn (a helper, not a test): copies the first N lines of stdin
   (argv[1], default 1) to stdout and exits without reading the rest. */
#include "procs.h"

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1, c;
    while (n > 0 && (c = getchar()) != EOF) {
        putchar(c);
        if (c == '\n')
            n--;
    }
    return 0;
}
