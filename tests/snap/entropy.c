/* entropy: computes for a while (a snapshot lands in the middle), then
 * prints 16 bytes from getrandom(2): clones of one snapshot must each
 * print their own. Exits 0. */
#include <stdio.h>
#include <sys/random.h>

int main(void)
{
    volatile unsigned long x = 1;
    for (int i = 0; i < 3000000; i++)
        x = x * 6364136223846793005ul + 1;
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (long)sizeof b)
        return 2;
    for (int i = 0; i < 16; i++)
        printf("%02x", b[i]);
    printf("\n");
    return 0;
}
