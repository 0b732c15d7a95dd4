/* ends HOW: exits with status 3 ("exit"), or dies of a store to address 8
 * ("fault"); prints one line first. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    printf("ends %s\n", argc > 1 ? argv[1] : "-");
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "fault") == 0)
        *(volatile int *)8 = 1;
    return 3;
}
