/* upcase (a helper, not a test): copies stdin to stdout in capitals. */
#include "procs.h"
#include <ctype.h>

int main(void)
{
    int c;
    while ((c = getchar()) != EOF)
        putchar(toupper(c));
    return 0;
}
