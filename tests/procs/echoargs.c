/* echoargs (a helper, not a test): prints "argc=N", then "argv[i]=ARG"
   for each argument and "env NAME=VALUE" for each environment entry.
   With STRIP=DIR in the environment, a leading DIR in an argument is
   printed as "$DIR" (exec paths differ between oracles) and STRIP itself
   is not printed. With QUIET=1 only argc and the total length of the
   arguments are printed. With EXIT=N it exits N, else 0. */
#include "procs.h"

extern char **environ;

int main(int argc, char **argv)
{
    const char *strip = getenv("STRIP"), *ex = getenv("EXIT");
    size_t sl = strip ? strlen(strip) : 0;
    printf("argc=%d\n", argc);
    if (getenv("QUIET")) {
        size_t len = 0;
        for (int i = 0; i < argc; i++)
            len += strlen(argv[i]);
        printf("argument bytes=%zu\n", len);
    } else {
        for (int i = 0; i < argc; i++) {
            if (sl && !strncmp(argv[i], strip, sl))
                printf("argv[%d]=$DIR%s\n", i, argv[i] + sl);
            else
                printf("argv[%d]=%s\n", i, argv[i]);
        }
        for (char **e = environ; *e; e++)
            if (strncmp(*e, "STRIP=", 6))
                printf("env %s\n", *e);
    }
    return ex ? atoi(ex) : 0;
}
