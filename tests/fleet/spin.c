/* spin: computes forever (a VM that would starve the others if turns
 * were not enforced). */
int main(void)
{
    volatile unsigned long x = 0;
    for (;;)
        x++;
}
