/* repeat (a helper, not a test): prints its argument (or "y") on a line,
   forever, like yes; a closed pipe ends it (SIGPIPE). */
#include "procs.h"

int main(int argc, char **argv)
{
    const char *w = argc > 1 ? argv[1] : "y";
    setvbuf(stdout, NULL, _IOFBF, 4096);
    for (;;)
        if (printf("%s\n", w) < 0)
            return 1;
}
